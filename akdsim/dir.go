package akdsim

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"stele/akd"
)

// Params are what a simulated directory is derived from.
type Params struct {
	Config akd.Config
	// Seed makes the directory reproducible.
	Seed uint64
	// Start is the anchor's epoch.
	Start uint64
	// Users is the number of users at the anchor.
	Users int
}

// stored is the parameter file, DIR/.akdsim/params.json.
type stored struct {
	Config  string `json:"config"`
	Domain  string `json:"domain,omitempty"`
	Seed    uint64 `json:"seed"`
	Start   uint64 `json:"start"`
	Users   int    `json:"users"`
	Updates []int  `json:"updates"` // per epoch after the anchor
}

const paramsFile = ".akdsim/params.json"

// Summary describes what Extend wrote.
type Summary struct {
	Anchor     string   // "<epoch>/<hex root>"
	Keys       []string // the proof objects written, "<E>/<prev>/<cur>"
	LastEpoch  uint64
	ProofBytes int64
}

// Extend adds epochs steps of updates updates each to the simulated
// directory in dir, creating it from p when dir holds none. On an existing
// directory p must match the stored parameters; its zero fields take them.
// Each update inserts a fresh leaf and, for an existing user, a stale
// marker for the user's previous version.
func Extend(dir string, p Params, epochs, updates int) (Summary, error) {
	var sum Summary
	if updates < 1 {
		return sum, errors.New("akdsim: an epoch needs at least one update")
	}
	st, err := loadParams(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if p.Config.Name() == "" {
			return sum, errors.New("akdsim: a new directory needs a configuration")
		}
		st = &stored{Config: p.Config.Name(), Domain: p.Config.Domain(), Seed: p.Seed, Start: p.Start, Users: p.Users}
	case err != nil:
		return sum, err
	default:
		if err := st.matches(p); err != nil {
			return sum, err
		}
	}
	cfg, err := akd.ParseConfig(st.Config, st.Domain)
	if err != nil {
		return sum, fmt.Errorf("akdsim: %s: %w", paramsFile, err)
	}
	h := newHashing(cfg)
	sim := &simulation{rng: rand.New(rand.NewChaCha8(seedBytes(st.Seed))), t: newTree(), h: h}
	sim.populate(st.Users, st.Start)
	for i, k := range st.Updates {
		sim.epoch(st.Start+uint64(i)+1, k)
	}
	sim.t.rehash(h, 0, 0)
	prev := sim.t.root(h)
	if len(st.Updates) == 0 {
		sum.Anchor = fmt.Sprintf("%d/%x", st.Start, prev)
		if err := writeFile(filepath.Join(dir, "root"), []byte(sum.Anchor+"\n")); err != nil {
			return sum, err
		}
	} else if b, err := os.ReadFile(filepath.Join(dir, "root")); err == nil {
		sum.Anchor = strings.TrimSpace(string(b))
	}
	var buf []byte
	for i := 0; i < epochs; i++ {
		e := st.Start + uint64(len(st.Updates)) + 1
		sim.epoch(e, updates)
		sim.t.rehash(h, 0, e)
		cur := sim.t.root(h)
		buf = sim.t.appendProof(buf[:0], h, e)
		key := fmt.Sprintf("%d/%s/%s", e, hex.EncodeToString(prev[:]), hex.EncodeToString(cur[:]))
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(key)), buf); err != nil {
			return sum, err
		}
		st.Updates = append(st.Updates, updates)
		if err := saveParams(dir, st); err != nil {
			return sum, err
		}
		sum.Keys = append(sum.Keys, key)
		sum.ProofBytes += int64(len(buf))
		prev = cur
	}
	sum.LastEpoch = st.Start + uint64(len(st.Updates))
	return sum, nil
}

// ErrParams is wrapped by Extend's error when the parameters given do not
// match those of an existing directory.
var ErrParams = errors.New("parameters do not match the directory")

func (st *stored) matches(p Params) error {
	if n := p.Config.Name(); n != "" && (n != st.Config || p.Config.Domain() != st.Domain) {
		return fmt.Errorf("akdsim: %w: it uses configuration %s %q, not %s %q", ErrParams, st.Config, st.Domain, n, p.Config.Domain())
	}
	if p.Seed != 0 && p.Seed != st.Seed {
		return fmt.Errorf("akdsim: %w: it uses seed %d, not %d", ErrParams, st.Seed, p.Seed)
	}
	if p.Start != 0 && p.Start != st.Start {
		return fmt.Errorf("akdsim: %w: its anchor epoch is %d; -start is for new directories", ErrParams, st.Start)
	}
	if p.Users != 0 && p.Users != st.Users {
		return fmt.Errorf("akdsim: %w: it started with %d users, not %d", ErrParams, st.Users, p.Users)
	}
	return nil
}

func seedBytes(seed uint64) (b [32]byte) {
	copy(b[:], strconv.AppendUint([]byte("akdsim seed "), seed, 10))
	return b
}

func loadParams(dir string) (*stored, error) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(paramsFile)))
	if err != nil {
		return nil, fmt.Errorf("akdsim: reading parameters: %w", err)
	}
	st := new(stored)
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("akdsim: reading parameters: %w", err)
	}
	return st, nil
}

func saveParams(dir string, st *stored) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, filepath.FromSlash(paramsFile)), append(b, '\n'))
}

// writeFile writes a file atomically (temporary file, then rename).
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("akdsim: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("akdsim: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("akdsim: writing %s: %w", path, err)
	}
	return nil
}

// simulation replays a directory's history from its seed.
type simulation struct {
	rng   *rand.Rand
	t     *tree
	h     *hashing
	users int
}

func (s *simulation) label() (l [32]byte) {
	for i := 0; i < 32; i += 8 {
		v := s.rng.Uint64()
		for j := 0; j < 8; j++ {
			l[i+j] = byte(v >> (56 - 8*j))
		}
	}
	return l
}

// populate makes the anchor's users, each with a leaf of an epoch up to
// start.
func (s *simulation) populate(users int, start uint64) {
	s.t.nodes = append(make([]node, 0, 2*users+1), s.t.nodes[0])
	for i := 0; i < users; i++ {
		e := start
		if start > 1 {
			e = 1 + s.rng.Uint64N(start)
		}
		s.t.insert(s.label(), s.label(), e)
	}
	s.users = users
}

// epoch applies k updates at epoch e: half of them (at random) to
// existing users, which adds a stale marker beside the fresh leaf.
func (s *simulation) epoch(e uint64, k int) {
	for i := 0; i < k; i++ {
		if s.users > 0 && s.rng.Uint64()&1 == 0 {
			s.t.insert(s.label(), s.h.stale, e)
		} else {
			s.users++
		}
		s.t.insert(s.label(), s.label(), e)
	}
}
