package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestFlagsCoverSchema holds the flag table to the schema: every field can be set
// by a flag, every flag names a field, and every flag's type has a parser.
func TestFlagsCoverSchema(t *testing.T) {
	leaves := map[string]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if typ.Kind() != reflect.Struct || typ == durationType {
			leaves[path] = true
			return
		}
		for name, f := range yamlFields(typ) {
			walk(path+"."+name, f.Type)
		}
	}
	walk("$", reflect.TypeFor[Scenario]())
	for leaf := range leaves {
		if leaf == "$.groups" {
			continue // a file's; run's --slow and --stall make groups
		}
		if _, ok := FlagName(leaf); !ok {
			t.Errorf("no flag sets %s", leaf)
		}
	}
	names := map[string]bool{}
	for _, f := range Flags() {
		if names[f.Name] {
			t.Errorf("flag --%s is in the table twice", f.Name)
		}
		names[f.Name] = true
		covers := false
		for leaf := range leaves {
			covers = covers || leaf == f.Path || strings.HasPrefix(leaf, f.Path+".")
		}
		if !covers {
			t.Errorf("flag --%s names %s, which is no field", f.Name, f.Path)
		}
		if err := f.Check(f.Default); f.Default != "" && err != nil {
			t.Errorf("--%s: its default %q does not parse: %v", f.Name, f.Default, err)
		}
		for _, v := range f.Values {
			if err := f.Check(v); err != nil {
				t.Errorf("--%s: completion value %q does not parse: %v", f.Name, v, err)
			}
		}
		if f.Usage == "" || f.Type == "" {
			t.Errorf("--%s has no usage or type", f.Name)
		}
	}
}

func TestFlagValuesApply(t *testing.T) {
	base := func() Scenario {
		return Scenario{Clients: 50, Headers: []string{"Authorization: Bearer x"}, Thresholds: []string{"errors.rate<1%"},
			Churn: Churn{Lifetime: time.Minute, Distribution: DistUniform}}
	}
	tests := []struct {
		name  string
		vals  FlagValues
		check func(Scenario) bool
		err   string
	}{
		{"int, last one wins", FlagValues{"clients": {"7", "9"}}, func(s Scenario) bool { return s.Clients == 9 }, ""},
		{"a list adds to the file's", FlagValues{"header": {"X-A: 1", "X-B: 2"}},
			func(s Scenario) bool {
				return reflect.DeepEqual(s.Headers, []string{"Authorization: Bearer x", "X-A: 1", "X-B: 2"})
			}, ""},
		{"fraction as a percentage", FlagValues{"churn": {"5%"}}, func(s Scenario) bool { return s.Churn.Rate == 0.05 }, ""},
		{"churn replaces the file's lifetime churn", FlagValues{"churn": {"0.1"}},
			func(s Scenario) bool { return s.Churn == Churn{Rate: 0.1} }, ""},
		{"churn with a distribution given keeps it", FlagValues{"churn": {"0.1"}, "churn-distribution": {"fixed"}},
			func(s Scenario) bool { return s.Churn == Churn{Rate: 0.1, Distribution: DistFixed} }, ""},
		{"disconnects", FlagValues{"disconnect": {"15s:50%", "1m:0.25"}}, func(s Scenario) bool {
			return reflect.DeepEqual(s.Disconnects, []MassDisconnect{{15 * time.Second, 0.5}, {time.Minute, 0.25}})
		}, ""},
		{"shard", FlagValues{"shard": {"1/4"}}, func(s Scenario) bool { return s.Shard == Shard{Index: 1, Count: 4} }, ""},
		{"typed string", FlagValues{"protocol": {"h2c"}}, func(s Scenario) bool { return s.Protocol == ProtocolH2C }, ""},
		{"bool", FlagValues{"insecure": {"true"}}, func(s Scenario) bool { return s.TLS.Insecure }, ""},
		{"size", FlagValues{"max-event-size": {"2MiB"}}, func(s Scenario) bool { return s.MaxEventSize == 2<<20 }, ""},
		{"a header replaces the file's of the same name, others add", FlagValues{"header": {"authorization: Bearer y", "X-C: 3"}},
			func(s Scenario) bool {
				return reflect.DeepEqual(s.Headers, []string{"authorization: Bearer y", "X-C: 3"})
			}, ""},
		{"thresholds add", FlagValues{"threshold": {"open.p99<1s"}},
			func(s Scenario) bool {
				return reflect.DeepEqual(s.Thresholds, []string{"errors.rate<1%", "open.p99<1s"})
			}, ""},
		{"duration", FlagValues{"ramp": {"1m30s"}}, func(s Scenario) bool { return s.Ramp == 90*time.Second }, ""},
		{"bad int names the flag", FlagValues{"clients": {"many"}}, nil, `--clients: want an integer`},
		{"bad shard names the flag", FlagValues{"shard": {"4/4"}}, nil, `--shard: want I/N with 0 ≤ I < N, e.g. 0/4`},
		{"tick 0 typed is a mistake", FlagValues{"tick": {"0s"}}, nil, "--tick: must be at least 100ms, got 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			err := tt.vals.Apply(&s)
			switch {
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Apply(%v) = %v, want %q", tt.vals, err, tt.err)
				}
			case err != nil:
				t.Fatalf("Apply(%v): %v", tt.vals, err)
			case !tt.check(s):
				t.Errorf("Apply(%v) = %+v", tt.vals, s)
			}
		})
	}
}

func TestFlagValuesChangesRun(t *testing.T) {
	if (FlagValues{"name": {"x"}, "target": {"http://h/"}}).ChangesRun() {
		t.Error("--name and --target change what is run")
	}
	if !(FlagValues{"clients": {"1"}}).ChangesRun() {
		t.Error("--clients does not change what is run")
	}
}

func TestPlainRunsTheFlagDefaults(t *testing.T) {
	p := Plain("http://h/events")
	p.Defaults()
	for _, f := range Flags() {
		if f.Default == "" {
			continue
		}
		var want Scenario
		if err := f.set(&want, []string{f.Default}); err != nil {
			t.Fatal(err)
		}
		got, wantV := reflect.ValueOf(p), reflect.ValueOf(want)
		for _, name := range strings.Split(strings.TrimPrefix(f.Path, "$."), ".") {
			idx := yamlFields(got.Type())[name].Index
			got, wantV = got.FieldByIndex(idx), wantV.FieldByIndex(idx)
		}
		if !reflect.DeepEqual(got.Interface(), wantV.Interface()) {
			t.Errorf("--%s: --help says the default is %s, a plain run has %v", f.Name, f.Default, got.Interface())
		}
	}
}
