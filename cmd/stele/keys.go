package main

import (
	"fmt"
	"os"
	"strings"

	"stele/checkpoint"
)

// loadSigner reads a signing key file. The file must not be readable or
// writable by group or others: a key others can read is not secret.
func loadSigner(path string) (*checkpoint.Signer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s has mode %04o: it must not be accessible to group or others (chmod 600 %s)", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	s, err := checkpoint.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, nil
}

// verifierList is a repeatable -vkey flag: a verifier-key string, or @FILE
// holding one key per line.
type verifierList struct{ keys []*checkpoint.Verifier }

func (v *verifierList) String() string { return "" }

func (v *verifierList) Set(s string) error {
	text := s
	if name, ok := strings.CutPrefix(s, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		text = string(b)
	}
	n := 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := checkpoint.NewVerifier(line)
		if err != nil {
			return fmt.Errorf("verifier key %q: %w", line, err)
		}
		v.keys = append(v.keys, k)
		n++
	}
	if n == 0 {
		return fmt.Errorf("no verifier key in %q", s)
	}
	return nil
}
