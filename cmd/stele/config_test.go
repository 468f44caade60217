package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleConfig: the shipped example parses and validates.
func TestExampleConfig(t *testing.T) {
	cfg, err := loadConfig(filepath.Join("..", "..", "stele.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Namespaces) != 2 || cfg.Namespaces[1].Domain != "ExampleLabel" || cfg.TimeBudget.Minutes() != 10 {
		t.Fatalf("example config read as %+v", cfg)
	}
	if !strings.HasSuffix(cfg.Key, "stele.key") || !filepath.IsAbs(cfg.Key) && !strings.Contains(cfg.Key, "..") {
		t.Fatalf("key path %q not taken from the file's directory", cfg.Key)
	}
}

func TestConfigErrors(t *testing.T) {
	base := `origin: kt.example/stele
key: k
namespaces:
  - name: ns
    source: ./p
    configuration: whatsapp_v1
    root: "1/` + strings.Repeat("ab", 32) + `"
`
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", base + "colour: blue\n", "colour"},
		{"unknown namespace key", strings.Replace(base, "    source:", "    sauce: x\n    source:", 1), "sauce"},
		{"bad namespace", strings.Replace(base, "name: ns", "name: a/b", 1), "a/b"},
		{"bad root", strings.Replace(base, `root: "1/`, `root: "x/`, 1), "root"},
		{"bad configuration", strings.Replace(base, "whatsapp_v1", "whatsapp_v9", 1), "whatsapp_v9"},
		{"experimental without domain", strings.Replace(base, "whatsapp_v1", "experimental", 1), "domain"},
		{"bad ciphersuite", base + "    ciphersuite: 3\n", "ciphersuite"},
		{"bad duration", base + "time_budget: soon\n", "soon"},
		{"trailing slash origin", strings.Replace(base, "kt.example/stele", "kt.example/stele/", 1), "origin"},
		{"no namespaces", "origin: a.example\nkey: k\n", "namespaces"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "stele.yaml")
			os.WriteFile(p, []byte(tc.yaml), 0o644)
			_, err := loadConfig(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
	p := filepath.Join(t.TempDir(), "stele.yaml")
	os.WriteFile(p, []byte(base), 0o644)
	if _, err := loadConfig(p); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}
