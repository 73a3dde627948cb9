package containers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// setting is one line of images/base/apt-mirror.sh's output.
type setting struct{ value, from string }

// aptMirror runs the base image's mirror chooser on an apt configuration directory with only the
// given environment (PATH aside), so the machine's own DEBIAN_MIRROR or proxy cannot leak in.
// useAptConfig false makes the script read apt.conf itself, as it does where apt-config is missing.
func aptMirror(t *testing.T, etc string, useAptConfig bool, env ...string) map[string]setting {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is missing: the base image's scripts cannot run here")
	}
	cmd := exec.Command(bash, filepath.Join("..", "images", "base", "apt-mirror.sh"), etc)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if !useAptConfig {
		cmd.Env = append(cmd.Env, "APT_CONFIG_CMD=/nonexistent/apt-config")
	}
	out, err := cmd.Output()
	require.NoError(t, err, "apt-mirror.sh %s", etc)
	got := map[string]setting{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		require.Len(t, f, 3, "line %q: want NAME VALUE SOURCE", line)
		got[f[0]] = setting{f[1], f[2]}
	}
	return got
}

// proxyReaders runs fn with the script's apt.conf fallback and, where apt is installed, apt-config.
func proxyReaders(t *testing.T, fn func(t *testing.T, useAptConfig bool, configured string)) {
	t.Run("apt.conf files", func(t *testing.T) { fn(t, false, "") })
	t.Run("apt-config", func(t *testing.T) {
		if _, err := exec.LookPath("apt-config"); err != nil {
			t.Skip("apt-config is missing (not a Debian machine)")
		}
		fn(t, true, "apt-config")
	})
}

func TestAptMirrorOneLineSources(t *testing.T) {
	etc := filepath.Join("testdata", "apt", "oneline")
	proxyReaders(t, func(t *testing.T, useAptConfig bool, from string) {
		got := aptMirror(t, etc, useAptConfig)
		// Skipped before it: another vendor's "bookworm main" (its own keyring), a "bookworm
		// stable" repository, deb-src, a cdrom; the options and the trailing slash are dropped.
		require.Equal(t, setting{"http://ftp.de.debian.org/debian", filepath.Join(etc, "sources.list")}, got["mirror"])
		// From sources.list.d, not from the .list.disabled file.
		require.Equal(t, setting{"http://security.example.org/debian-security", filepath.Join(etc, "sources.list.d", "security.list")}, got["security"])
		if from == "" {
			from = filepath.Join(etc, "apt.conf.d", "30proxy")
		}
		require.Equal(t, setting{"http://cache.example.org:3142", from}, got["http_proxy"])
		// https::Proxy "DIRECT": no proxy for https, even though http has one.
		require.NotContains(t, got, "https_proxy")
	})
}

func TestAptMirrorDeb822Sources(t *testing.T) {
	etc := filepath.Join("testdata", "apt", "deb822")
	file := filepath.Join(etc, "sources.list.d", "debian.sources")
	proxyReaders(t, func(t *testing.T, useAptConfig bool, from string) {
		got := aptMirror(t, etc, useAptConfig)
		// 00local.sources comes first but is Enabled: no; the mirror+file URI cannot be debootstrapped;
		// vendor.sources (an inline key) is not Debian's archive.
		require.Equal(t, setting{"http://mirror.example.org/debian", file}, got["mirror"])
		require.Equal(t, setting{"https://mirror.example.org/debian-security", file}, got["security"])
		if from == "" {
			from = filepath.Join(etc, "apt.conf.d", "50proxy")
		}
		require.Equal(t, setting{"http://proxy.example.org:3128/", from}, got["http_proxy"])
		require.Equal(t, setting{"http://tls-proxy.example.org:3128/", from}, got["https_proxy"])
	})
}

func TestAptMirrorOldSecuritySuiteAndHTTPSProxyFallback(t *testing.T) {
	etc := filepath.Join("testdata", "apt", "old-security")
	proxyReaders(t, func(t *testing.T, useAptConfig bool, from string) {
		got := aptMirror(t, etc, useAptConfig)
		require.Equal(t, setting{"http://deb.debian.org/debian", filepath.Join(etc, "sources.list")}, got["mirror"])
		require.Equal(t, setting{"http://security.debian.org", filepath.Join(etc, "sources.list")}, got["security"], "bullseye/updates is the security suite before bookworm")
		if from == "" {
			from = filepath.Join(etc, "apt.conf")
		}
		// No https proxy set: apt uses the http one for https too.
		require.Equal(t, setting{"http://proxy.example.org:8080", from}, got["http_proxy"])
		require.Equal(t, setting{"http://proxy.example.org:8080", from}, got["https_proxy"])
	})
}

func TestAptMirrorNestedProxySyntaxThroughAptConfig(t *testing.T) {
	if _, err := exec.LookPath("apt-config"); err != nil {
		t.Skip("apt-config is missing (not a Debian machine)")
	}
	got := aptMirror(t, filepath.Join("testdata", "apt", "nested-proxy"), true)
	require.Equal(t, setting{"http://nested.example.org:3128", "apt-config"}, got["http_proxy"])
	require.NotContains(t, got, "https_proxy", `https::Proxy "DIRECT"`)
}

func TestAptMirrorDefaultsWhenAptHasNoDebianArchive(t *testing.T) {
	// Ubuntu's archive is not a Debian mirror, whatever apt is configured with.
	got := aptMirror(t, filepath.Join("testdata", "apt", "other-distro"), false)
	require.Equal(t, map[string]setting{
		"mirror":   {"http://deb.debian.org/debian", "default"},
		"security": {"http://deb.debian.org/debian-security", "default"},
	}, got)
}

func TestAptMirrorOverridesWinOverApt(t *testing.T) {
	got := aptMirror(t, filepath.Join("testdata", "apt", "deb822"), false,
		"DEBIAN_MIRROR=http://override.example.org/debian",
		"DEBIAN_SECURITY_MIRROR=http://override.example.org/debian-security",
		"HTTP_PROXY=http://env-proxy.example.org:1", "https_proxy=http://env-tls.example.org:2")
	require.Equal(t, map[string]setting{
		"mirror":      {"http://override.example.org/debian", "DEBIAN_MIRROR"},
		"security":    {"http://override.example.org/debian-security", "DEBIAN_SECURITY_MIRROR"},
		"http_proxy":  {"http://env-proxy.example.org:1", "HTTP_PROXY"},
		"https_proxy": {"http://env-tls.example.org:2", "https_proxy"},
	}, got)
}
