package tui

import (
	"fmt"

	"sseload/human"
	"sseload/metrics"
)

// replayView is the replay checker's verdict; red as soon as anything is found.
type replayView struct {
	f   metrics.Findings
	off bool // --check none: nothing is judged, so nothing may look "ok"
	st  styles
}

// count renders n green when zero, red otherwise.
func (v replayView) count(n int64) string {
	if n > 0 {
		return v.st.bad.Render(human.Count(n))
	}
	return v.st.good.Render(human.Count(n))
}

// verdict is "ok" in green or "FAULTS" in red.
func (v replayView) verdict() string {
	if v.off {
		return v.st.dim.Render("off (--check none)")
	}
	if v.f.Refused != "" {
		return v.st.bad.Render("NOT JUDGED")
	}
	if v.f.Total() > 0 {
		return v.st.bad.Render("FAULTS")
	}
	return v.st.good.Render("ok")
}

// latest describes the newest finding (the last kept example when the checker
// did not say which is newest), or "" when there is none.
func (v replayView) latest() (head, detail string) {
	var e metrics.Finding
	switch {
	case v.f.Latest != nil:
		e = *v.f.Latest
	case len(v.f.Examples) > 0:
		e = v.f.Examples[len(v.f.Examples)-1]
	default:
		return "", ""
	}
	return fmt.Sprintf("%s at %s, client %d", oneLine(e.Class), fmtElapsed(e.At), e.Client),
		fmt.Sprintf("expected %s, got %s", oneLine(e.Expected), oneLine(e.Got))
}

// view is the panel form, as tall as the clients panel.
func (v replayView) view(w int) []string {
	st := v.st
	if v.off {
		return []string{
			spread(st.section.Render("Replay checker"), v.verdict(), w),
			st.dim.Render("ids are not checked; --check sequence"),
			st.dim.Render("or witness judges lost, duplicated"),
			st.dim.Render("and reordered events"),
			"",
		}
	}
	if v.f.Refused != "" {
		return []string{
			spread(st.section.Render("Replay checker"), v.verdict(), w),
			st.bad.Render(ansiCut(v.f.Refused, w)),
			st.dim.Render(human.Count(v.f.Unjudged) + " events unjudged"),
			"", "",
		}
	}
	lines := []string{
		spread(st.section.Render("Replay checker"), v.verdict(), w),
		st.label.Render(padRight("lost events", labelW)) + padLeft(v.count(v.f.LostEvents), valueW) +
			st.dim.Render(fmt.Sprintf("  in %s inc", human.Count(v.f.Lost))),
		st.label.Render(padRight("duplicated", labelW)) + padLeft(v.count(v.f.Duplicated), valueW) + st.dim.Render("  events"),
		st.label.Render(padRight("reordered", labelW)) + padLeft(v.count(v.f.Reordered), valueW) + st.dim.Render("  events"),
	}
	head, detail := v.latest()
	if head == "" {
		return append(lines, st.dim.Render("no findings"))
	}
	return append(lines, st.label.Render("latest ")+head, "  "+detail)
}

// line is the compact form for narrow screens: one line, two with an example.
func (v replayView) line(w int) []string {
	st := v.st
	if v.off {
		return []string{spread(st.section.Render("Replay")+"  "+st.dim.Render("ids not checked"), v.verdict(), w)}
	}
	if v.f.Refused != "" {
		return []string{spread(st.section.Render("Replay")+"  "+st.bad.Render(ansiCut(v.f.Refused, max(8, w-24))), v.verdict(), w)}
	}
	lines := []string{spread(
		st.section.Render("Replay")+"  "+st.label.Render("lost ")+v.count(v.f.LostEvents)+
			st.dim.Render(" ev ("+human.Count(v.f.Lost)+" inc)")+st.label.Render(" · dup ")+v.count(v.f.Duplicated)+
			st.label.Render(" · reord ")+v.count(v.f.Reordered)+st.dim.Render(" ev"),
		v.verdict(), w)}
	if head, detail := v.latest(); head != "" {
		lines = append(lines, "  "+st.label.Render("latest ")+head+": "+detail)
	}
	return lines
}
