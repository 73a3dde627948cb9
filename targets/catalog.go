package targets

import (
	"encoding/json"
	"fmt"
)

// CatalogFormat is how an implementation wants the challenge catalog.
type CatalogFormat string

const (
	// CatalogOurs is contract/challenges' format, as perf/testdata/challenges.json holds it.
	CatalogOurs CatalogFormat = "ours"
	// CatalogDefaultAssigned is ours with "defaultAssigned": true on every goal: the reference
	// materialises only such goals when a user is initialised, and the suite measures all of them.
	CatalogDefaultAssigned CatalogFormat = "default-assigned"
)

// Render writes the catalog (in our format) as the implementation wants it. Fields it does not
// know are kept as they are.
func (f CatalogFormat) Render(catalog []byte) ([]byte, error) {
	switch f {
	case CatalogOurs, "":
		return catalog, nil
	case CatalogDefaultAssigned:
		var doc map[string]any
		if err := json.Unmarshal(catalog, &doc); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		chs, ok := doc["challenges"].([]any)
		if !ok {
			return nil, fmt.Errorf("catalog: no \"challenges\" array")
		}
		for i, c := range chs {
			ch, ok := c.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("catalog: challenge %d is not an object", i)
			}
			goals, _ := ch["goals"].([]any)
			for j, g := range goals {
				goal, ok := g.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("catalog: challenge %d goal %d is not an object", i, j)
				}
				goal["defaultAssigned"] = true
			}
		}
		return json.Marshal(doc)
	}
	return nil, fmt.Errorf("catalog format %q: unknown (known: %s, %s)", f, CatalogOurs, CatalogDefaultAssigned)
}
