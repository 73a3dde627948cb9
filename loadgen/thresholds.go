package loadgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ThresholdSpec is one entry of a k6 thresholds array: either a string or
// {"threshold": EXPR, "abortOnFail": bool, "delayAbortEval": DURATION}.
type ThresholdSpec struct {
	Expr           string   `json:"threshold"`
	AbortOnFail    bool     `json:"abortOnFail,omitempty"`
	DelayAbortEval Duration `json:"delayAbortEval,omitempty"`
}

// ThresholdList accepts an array of specs, or a single spec.
type ThresholdList []ThresholdSpec

func (t *ThresholdSpec) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		t.Expr = s
		return nil
	}
	type raw ThresholdSpec
	var r raw
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return fmt.Errorf("threshold must be a string or {threshold, abortOnFail, delayAbortEval}: %v", err)
	}
	*t = ThresholdSpec(r)
	return nil
}

// MarshalJSON writes k6's short form, the bare expression, when no option is set: a plan written
// from a Plan reads like one written by hand.
func (t ThresholdSpec) MarshalJSON() ([]byte, error) {
	if !t.AbortOnFail && t.DelayAbortEval == 0 {
		return json.Marshal(t.Expr)
	}
	type raw ThresholdSpec
	return json.Marshal(raw(t))
}

func (l *ThresholdList) UnmarshalJSON(b []byte) error {
	var many []ThresholdSpec
	if err := json.Unmarshal(b, &many); err == nil {
		*l = many
		return nil
	}
	var one ThresholdSpec
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = ThresholdList{one}
	return nil
}

// Threshold is a parsed `method op number` expression.
type Threshold struct {
	Source string
	Method string  // avg, min, max, med, p(N), count, rate, value
	P      float64 // percentile for p(N)
	Op     string
	Value  float64
}

var thresholdRe = regexp.MustCompile(`^\s*([a-z]+(?:\(\s*[0-9.]+\s*\))?)\s*(>=|<=|===|==|!=|>|<)\s*(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*$`)

// ParseThreshold parses the k6 threshold grammar.
func ParseThreshold(expr string) (Threshold, error) {
	m := thresholdRe.FindStringSubmatch(expr)
	if m == nil {
		return Threshold{}, fmt.Errorf("invalid threshold %q: want `method op number`, e.g. p(95)<500", expr)
	}
	t := Threshold{Source: expr, Method: strings.ReplaceAll(m[1], " ", ""), Op: m[2]}
	if t.Op == "===" {
		t.Op = "=="
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		return Threshold{}, fmt.Errorf("invalid threshold %q: bad number %q", expr, m[3])
	}
	t.Value = v
	switch {
	case strings.HasPrefix(t.Method, "p("):
		p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(t.Method, "p("), ")"), 64)
		if err != nil || p < 0 || p > 100 {
			return Threshold{}, fmt.Errorf("invalid threshold %q: percentile must be 0..100", expr)
		}
		t.P = p
	case t.Method == "avg", t.Method == "min", t.Method == "max", t.Method == "med",
		t.Method == "count", t.Method == "rate", t.Method == "value":
	default:
		return Threshold{}, fmt.Errorf("invalid threshold %q: unknown method %q", expr, t.Method)
	}
	return t, nil
}

// validFor reports whether the method applies to a metric kind (k6 rules).
func (t Threshold) validFor(k MetricKind) error {
	ok := false
	switch k {
	case KindCounter:
		ok = t.Method == "count" || t.Method == "rate"
	case KindGauge:
		ok = t.Method == "value"
	case KindRate:
		ok = t.Method == "rate"
	case KindTrend:
		ok = t.Method == "avg" || t.Method == "min" || t.Method == "max" || t.Method == "med" || strings.HasPrefix(t.Method, "p(")
	}
	if !ok {
		return fmt.Errorf("threshold %q: method %q is not valid for a %s metric", t.Source, t.Method, k)
	}
	return nil
}

// Pass evaluates the threshold against an observed value.
func (t Threshold) Pass(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	case "==":
		return v == t.Value
	case "!=":
		return v != t.Value
	}
	return false
}

// boundThreshold is a threshold attached to a metric key of this run.
type boundThreshold struct {
	Threshold
	Key       string
	Abort     bool
	DelayEval time.Duration
	Failed    bool
}

// parseMetricKey splits `name{tag:value}` into name and tag filter.
func parseMetricKey(key string) (name, tag, value string, err error) {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return key, "", "", nil
	}
	if !strings.HasSuffix(key, "}") {
		return "", "", "", fmt.Errorf("invalid submetric %q", key)
	}
	name = key[:i]
	inner := key[i+1 : len(key)-1]
	tag, value, ok := strings.Cut(inner, ":")
	if !ok {
		return "", "", "", fmt.Errorf("invalid submetric %q: want name{tag:value}", key)
	}
	tag = strings.TrimSpace(tag)
	value = strings.Trim(strings.TrimSpace(value), `"'`)
	if tag != TagName && tag != TagScenario {
		return "", "", "", fmt.Errorf("submetric %q: only the tags `name` and `scenario` are supported", key)
	}
	return name, tag, value, nil
}

// bindThresholds checks every threshold against the run's metric kinds.
func bindThresholds(p *Plan, kindOf func(string) (MetricKind, bool)) ([]*boundThreshold, error) {
	var out []*boundThreshold
	for key, list := range p.Thresholds {
		name, _, _, err := parseMetricKey(key)
		if err != nil {
			return nil, planErr("thresholds.%s: %v", key, err)
		}
		kind, ok := kindOf(name)
		if !ok {
			return nil, planErr("thresholds.%s: no metric named %q", key, name)
		}
		for _, spec := range list {
			t, err := ParseThreshold(spec.Expr)
			if err != nil {
				return nil, planErr("thresholds.%s: %v", key, err)
			}
			if err := t.validFor(kind); err != nil {
				return nil, planErr("thresholds.%s: %v", key, err)
			}
			out = append(out, &boundThreshold{Threshold: t, Key: key, Abort: spec.AbortOnFail, DelayEval: spec.DelayAbortEval.D()})
		}
	}
	return out, nil
}

var validTrendStat = regexp.MustCompile(`^(avg|min|max|med|count|p\(\s*[0-9.]+\s*\))$`)

func validateTrendStats(stats []string) error {
	for _, s := range stats {
		if !validTrendStat.MatchString(s) {
			return planErr("summaryTrendStats: unsupported stat %q", s)
		}
	}
	return nil
}
