package results

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"sseload/scenarios"
)

// checkShards makes sure rs are shards of one run: each a shard result (or a
// merge of some) of the same scenario and shard count, no shard twice; a lone
// result of all the clients is shard 0/1. It returns
// the shard count and the sorted shard indices the merge covers.
func checkShards(labels []string, rs []Result) (count int, indices []int, err error) {
	owner := map[int]string{} // shard index → label of the result that has it
	for i, r := range rs {
		if r.Schema != Schema {
			return 0, nil, fmt.Errorf("merge: %s: %w %q (want %q)", labels[i], ErrSchema, r.Schema, Schema)
		}
		n, idx := shardsOf(r)
		if n == 0 && len(rs) == 1 {
			n, idx = 1, []int{0} // a run of all the clients: the one shard of one
		}
		if n == 0 {
			return 0, nil, fmt.Errorf("merge: %s is not a shard: it ran all the clients (merge combines the results of "+
				"one run split over load generators with --shard I/N)", labels[i])
		}
		if i == 0 {
			count = n
		} else if n != count {
			return 0, nil, fmt.Errorf("merge: %s is one of %d shards, %s one of %d", labels[i], n, labels[0], count)
		}
		if i > 0 {
			if field, a, b, same := sameRun(rs[0].Scenario, r.Scenario); !same {
				return 0, nil, fmt.Errorf("merge: %s ran another scenario than %s (%s %s, not %s)", labels[i], labels[0], field, b, a)
			}
		}
		for _, x := range idx {
			if prev, dup := owner[x]; dup {
				return 0, nil, fmt.Errorf("merge: %s and %s both hold shard %d/%d", prev, labels[i], x, count)
			}
			owner[x] = labels[i]
			indices = append(indices, x)
		}
	}
	slices.Sort(indices)
	return count, indices, nil
}

// shardsOf returns the shard count of r's run and the shards r holds; count 0
// when r ran every client.
func shardsOf(r Result) (count int, indices []int) {
	if len(r.ShardIndices) > 0 {
		return r.ShardCount, r.ShardIndices
	}
	if sh := r.Scenario.Shard; sh.Count > 0 {
		return sh.Count, []int{sh.Index}
	}
	return 0, nil
}

// sameRun reports whether two shards ran the same scenario, their shard aside;
// when not, it names the first field that differs and its two values.
func sameRun(a, b scenarios.Scenario) (field, va, vb string, same bool) {
	a.Shard, b.Shard = scenarios.Shard{}, scenarios.Shard{}
	if reflect.DeepEqual(a, b) {
		return "", "", "", true
	}
	ma, mb := fields(a), fields(b)
	keys := make([]string, 0, len(ma))
	for k := range ma {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if string(ma[k]) != string(mb[k]) {
			return k, string(ma[k]), string(mb[k]), false
		}
	}
	return "scenario", "", "", false
}

// fields is sc's JSON form by top-level field.
func fields(sc scenarios.Scenario) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	b, _ := json.Marshal(sc) // a Scenario always marshals
	_ = json.Unmarshal(b, &m)
	return m
}
