package scenarios

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseEventMatch: any condition parses or fails with an error, and a
// parsed one matches any event without panicking; "data=X" matches exactly X.
func FuzzParseEventMatch(f *testing.F) {
	for _, s := range []string{"type=message", "type!=ping", "data=[DONE]", "data!=", `data~"content":"[^"]`, "data!~^x", "data~(", "type=", "x=y", "", "data~\\", "type!=a=b"} {
		f.Add(s, "message", "[DONE]")
	}
	f.Fuzz(func(t *testing.T, cond, typ, data string) {
		m, err := ParseEventMatch([]string{cond})
		if err != nil {
			return
		}
		got := m.Match([]byte(typ), []byte(data))
		if v, ok := strings.CutPrefix(cond, "data="); ok && got != (data == v) {
			t.Errorf("%q on data %q = %v", cond, data, got)
		}
	})
}

// FuzzParseThink: a think time parses or fails; a parsed one draws within
// its bounds.
func FuzzParseThink(f *testing.F) {
	for _, s := range []string{"", "500ms", "exp:1s", "uniform:200ms-2s", "uniform:2s-1s", "exp:0", "-1s", "uniform:", "exp:1h", "nope"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThink(s)
		if err != nil {
			return
		}
		for range 8 {
			d := th.Draw()
			if d < 0 || th.Dist != DistExponential && (d < th.Min || th.Dist == DistUniform && d > th.Max) {
				t.Fatalf("%q drew %v outside [%v, %v]", s, d, th.Min, th.Max)
			}
		}
	})
}

// FuzzTemplates: a body or target template parses or fails before the run;
// one that parsed renders any client's values or fails with an error, within
// its size bound.
func FuzzTemplates(f *testing.F) {
	for _, s := range []string{`{"c":{{.Client}}}`, `{{mod .Client 20}}`, `{{.Nope}}`, `{{`, `{{range .Client}}{{end}}`, `{{mod .Client 0}}`, `{{mul .Client .Client}}`, "plain", `{{printf "%0900000d" 1}}`, `{{range 1000000000}}xxxxxxxx{{end}}`} {
		f.Add(s, 7, 3)
	}
	f.Fuzz(func(t *testing.T, text string, client, request int) {
		v := RequestValues{Client: client, Request: request}
		deadline := time.AfterFunc(5*time.Second, func() { panic("template took over 5s") })
		defer deadline.Stop()
		if b, err := ParseBody(text); err == nil && b != nil { // nil: no body
			if out, err := b.Render(v); err == nil && len(out) > maxBody {
				t.Fatalf("body rendered %d bytes", len(out))
			}
		}
		if tt, err := ParseTarget(text); err == nil {
			if out, err := tt.Render(v); err == nil && len(out) > maxTargetLen {
				t.Fatalf("target rendered %d bytes", len(out))
			}
		}
	})
}
