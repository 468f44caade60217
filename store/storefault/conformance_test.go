package storefault_test

import (
	"testing"

	"stele/store"
	"stele/store/storefault"
	"stele/store/storetest"
)

// With no plan the wrapper is the inner store: it passes the suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return storefault.New(newDir(t, t.TempDir()), nil)
	})
}

// A plan that never fires changes nothing either.
func TestConformanceIdlePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("the same suite again; TestConformance covers -short")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return storefault.New(newDir(t, t.TempDir()), storefault.FailWrite(1<<40, storefault.After))
	})
}

func TestMemConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storefault.NewMem() })
}

func TestFaultOverMemConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return storefault.New(storefault.NewMem(), nil) })
}
