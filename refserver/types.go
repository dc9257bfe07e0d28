package refserver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Limits on an event type mix.
const (
	maxTypes      = 1000
	maxTypeWeight = 1_000_000
	maxTypeName   = 256
)

// PickType returns the event type of event seq under the weighted mix types, or "" when
// types is empty (no event: line). It is a pure function of its arguments, so a checker can
// predict every event's type: a 64-bit mix of seq (SplitMix64) modulo the total weight
// selects a type, each with probability weight/total.
func PickType(types []WeightedType, seq int64) string {
	var total uint64
	for _, t := range types {
		total += uint64(max(t.Weight, 0))
	}
	if total == 0 {
		return ""
	}
	r := splitmix64(uint64(seq)) % total
	for _, t := range types {
		w := uint64(max(t.Weight, 0))
		if r < w {
			return t.Name
		}
		r -= w
	}
	return types[len(types)-1].Name // unreachable: r < total
}

// splitmix64 is the finalizer of SplitMix64: consecutive inputs give unrelated outputs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// ParseEventTypes parses a mix written "name=weight,name=weight"; a name without
// "=weight" weighs 1, and "" is no mix. Example: "update=3,delete=1".
func ParseEventTypes(s string) ([]WeightedType, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var types []WeightedType
	for item := range strings.SplitSeq(s, ",") {
		name, weight, hasWeight := strings.Cut(strings.TrimSpace(item), "=")
		t := WeightedType{Name: strings.TrimSpace(name), Weight: 1}
		if hasWeight {
			w, err := strconv.Atoi(strings.TrimSpace(weight))
			if err != nil {
				return nil, fmt.Errorf("event type %q: weight %q is not an integer", t.Name, weight)
			}
			t.Weight = w
		}
		types = append(types, t)
	}
	if err := validateTypes(types); err != nil {
		return nil, err
	}
	return types, nil
}

// validateTypes reports every problem with a mix.
func validateTypes(types []WeightedType) error {
	if len(types) > maxTypes {
		return fmt.Errorf("event types: %d types, want at most %d", len(types), maxTypes)
	}
	var errs []error
	seen := make(map[string]bool, len(types))
	for _, t := range types {
		switch {
		case t.Name == "":
			errs = append(errs, errors.New("event type: empty name"))
		case len(t.Name) > maxTypeName:
			errs = append(errs, fmt.Errorf("event type %.20q…: name longer than %d bytes", t.Name, maxTypeName))
		case strings.IndexFunc(t.Name, badTypeRune) >= 0:
			errs = append(errs, fmt.Errorf("event type %q: name must be printable, without spaces, commas or '='", t.Name))
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("event type %q: listed twice", t.Name))
		}
		seen[t.Name] = true
		if t.Weight < 1 || t.Weight > maxTypeWeight {
			errs = append(errs, fmt.Errorf("event type %q: weight %d, want 1…%d", t.Name, t.Weight, maxTypeWeight))
		}
	}
	return errors.Join(errs...)
}

// badTypeRune reports whether r cannot appear in an event type name: the name goes on an
// "event:" line verbatim and must survive ParseEventTypes's syntax.
func badTypeRune(r rune) bool {
	return !unicode.IsPrint(r) || unicode.IsSpace(r) || r == ',' || r == '=' || r == unicode.ReplacementChar
}
