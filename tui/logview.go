package tui

// logView is the log of notable happenings, newest last.
type logView struct {
	log logBook
	st  styles
}

// view renders at most h lines: the title, then as many of the newest entries as
// fit; nothing when not even one fits.
func (v logView) view(w, h int) []string {
	if h < 2 {
		return nil
	}
	lines := []string{v.st.section.Render("Log")}
	entries := v.log.last(h - 1)
	if len(entries) == 0 {
		return append(lines, v.st.dim.Render("nothing notable yet"))
	}
	for _, e := range entries {
		lines = append(lines, v.st.dim.Render(padLeft(fmtElapsed(e.at), 8))+"  "+ansiCut(oneLine(e.text), max(1, w-10)))
	}
	return lines
}
