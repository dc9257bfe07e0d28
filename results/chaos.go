package results

import (
	"fmt"
	"strings"
	"time"

	"sseload/chaos"
	"sseload/human"
)

// Chaos is a run's network faults as the proxy applied them.
type Chaos struct {
	Applied []chaos.Applied `json:"applied"`
	Stats   chaos.Stats     `json:"stats"`
	// SilenceWatch is the silence that counted a stream in
	// Totals.StreamsSilent (blackholes and stalls without an idle timeout); 0
	// when none was watched.
	SilenceWatch time.Duration `json:"silence_watch,omitempty"`
}

// summaryChaos writes the faults as applied, to read the figures against.
func summaryChaos(p *printer, r Result) {
	c := r.Chaos
	if c == nil {
		return
	}
	var parts []string
	for _, a := range c.Applied {
		s := fmt.Sprintf("%s at %s", a.Fault, human.Duration(a.At))
		if a.Fault.Kind == chaos.Cut || a.Fault.Kind == chaos.CutEvent {
			s += fmt.Sprintf(" (%s connections)", human.Count(int64(a.Affected)))
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		parts = append(parts, "no fault was due before the end")
	}
	p.field("chaos", "%s; proxied %s connections, refused %s", strings.Join(parts, "; "),
		human.Count(c.Stats.Accepted), human.Count(c.Stats.Refused))
	if c.SilenceWatch > 0 {
		p.field("silent", "%s times a stream received nothing for %s or more and went on (no --idle-timeout ended it)",
			human.Count(r.Totals.StreamsSilent), human.Duration(c.SilenceWatch))
	}
}
