package loadgen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Workload packages may own top-level plan fields (options that only their
// workloads understand, such as the values their events carry). The engine
// keeps such a field out of its strict decoding, has the owner check it when
// the plan is parsed, and hands its JSON to the workloads (Plan.Field). A plan
// that uses a field no imported package registered is refused like any other
// unknown field.
var planFields = struct {
	mu     sync.RWMutex
	checks map[string]func(raw json.RawMessage) error
}{checks: map[string]func(json.RawMessage) error{}}

// RegisterPlanField reserves the top-level plan field name for a workload
// package. check, when not nil, validates the field's JSON when a plan that
// has the field is parsed; its error becomes a *PlanError naming the field.
// Call it from an init function; a name the engine or another package already
// uses panics.
func RegisterPlanField(name string, check func(raw json.RawMessage) error) {
	planFields.mu.Lock()
	defer planFields.mu.Unlock()
	if _, dup := planFields.checks[name]; dup || name == "" || enginePlanFields()[strings.ToLower(name)] {
		panic("loadgen: plan field " + name + " registered twice or empty")
	}
	planFields.checks[name] = check
}

// enginePlanFields are the JSON names of Plan's own fields, lower-cased
// (encoding/json matches them case-insensitively).
func enginePlanFields() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(Plan{})
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
			out[strings.ToLower(tag)] = true
		}
	}
	return out
}

// Field decodes the registered top-level field name into v. It reports false
// (and leaves v alone) when the plan does not have the field, so the caller
// applies its own default.
func (p *Plan) Field(name string, v any) (bool, error) {
	raw, ok := p.fields[name]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, planErr("%s: %s", name, strings.TrimPrefix(err.Error(), "json: "))
	}
	return true, nil
}

// splitPlanFields takes the registered fields out of the plan object. The
// remaining JSON is b itself when there are none; when b is not an object the
// strict decoding reports why.
func splitPlanFields(b []byte) ([]byte, map[string]json.RawMessage, error) {
	planFields.mu.RLock()
	defer planFields.mu.RUnlock()
	if len(planFields.checks) == 0 {
		return b, nil, nil
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if dec.Decode(&m) != nil {
		return b, nil, nil
	}
	if dec.More() {
		return nil, nil, planErr("trailing data after the plan object")
	}
	fields := map[string]json.RawMessage{}
	for name := range planFields.checks {
		if raw, ok := m[name]; ok {
			fields[name] = raw
			delete(m, name)
		}
	}
	if len(fields) == 0 {
		return b, nil, nil
	}
	rest, err := json.Marshal(m)
	if err != nil {
		return nil, nil, planErr("%v", err)
	}
	return rest, fields, nil
}

// checkPlanFields runs the owners' checks, in name order.
func checkPlanFields(fields map[string]json.RawMessage) error {
	planFields.mu.RLock()
	defer planFields.mu.RUnlock()
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if check := planFields.checks[n]; check != nil {
			if err := check(fields[n]); err != nil {
				return planErr("%s: %v", n, err)
			}
		}
	}
	return nil
}
