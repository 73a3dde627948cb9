package challenges

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// checkUnknownFields refuses keys the catalog types do not have, naming the JSON path and the
// challenge or goal they sit in: json.Decoder's own error names only the field, which in a file
// of hundreds of goals does not say where the typo is. The known keys at each level (top level,
// challenge, goal, requirement, reward, rotation, rotation.onExpiry) are read from the types'
// json tags, so this walk cannot drift from what Parse decodes. Keys match exactly, stricter than
// encoding/json's case-insensitive matching, so "goalid" is a typo here too.
func checkUnknownFields(data []byte) error {
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return unknownField(doc, reflect.TypeFor[Catalog](), "", "")
}

// unknownField walks v alongside the type t it will be decoded into and reports the first key
// (in sorted order, so the error is stable) that t has no field for. label is the innermost
// enclosing challenge or goal. A value of the wrong JSON kind is skipped: the typed decode reports it.
func unknownField(v any, t reflect.Type, path, label string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		label = objectLabel(obj, label)
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, ok := fields[k]
			if !ok {
				return fmt.Errorf("%s%s: unknown field %q", describePath(path), label, k)
			}
			if err := unknownField(obj[k], ft, joinPath(path, k), label); err != nil {
				return err
			}
		}
	case reflect.Slice:
		arr, _ := v.([]any)
		for i, e := range arr {
			if err := unknownField(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), label); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's decoded fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

// objectLabel names the challenge or goal obj is, or keeps the enclosing one's label.
func objectLabel(obj map[string]any, enclosing string) string {
	if id, ok := obj["goalId"].(string); ok {
		return fmt.Sprintf(" (goal %q)", id)
	}
	if id, ok := obj["challengeId"].(string); ok {
		return fmt.Sprintf(" (challenge %q)", id)
	}
	return enclosing
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describePath(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}
