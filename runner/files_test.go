package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteJSONAndNDJSON(t *testing.T) {
	dir := t.TempDir()
	type row struct {
		A int `json:"a"`
	}
	require.NoError(t, WriteJSON(filepath.Join(dir, "x.json"), row{A: 1}))
	b, err := os.ReadFile(filepath.Join(dir, "x.json"))
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"a\": 1\n}\n", string(b))

	require.NoError(t, WriteNDJSON(filepath.Join(dir, "x.ndjson"), []row{{1}, {2}}))
	b, err = os.ReadFile(filepath.Join(dir, "x.ndjson"))
	require.NoError(t, err)
	assert.Equal(t, "{\"a\":1}\n{\"a\":2}\n", string(b))

	assert.Error(t, WriteJSON(filepath.Join(dir, "missing", "x.json"), row{}))
	assert.Error(t, WriteNDJSON(filepath.Join(dir, "missing", "x.ndjson"), []row{}))
	assert.Error(t, WriteJSON(filepath.Join(dir, "y.json"), func() {}), "not JSON")
}
