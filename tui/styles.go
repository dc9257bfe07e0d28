package tui

import "charm.land/lipgloss/v2"

// styles are the dashboard's looks. Colours are always set here; the program's
// colour profile (ASCII for NoColor or NO_COLOR) strips them on output, so the
// layout is identical with and without colour.
type styles struct {
	title   lipgloss.Style
	section lipgloss.Style
	label   lipgloss.Style
	dim     lipgloss.Style
	good    lipgloss.Style
	warn    lipgloss.Style
	bad     lipgloss.Style
	paused  lipgloss.Style
	done    lipgloss.Style
	spark   lipgloss.Style
	accent  lipgloss.Style
}

// defaultStyles returns the dashboard's styles.
func defaultStyles() styles {
	var (
		colAccent = lipgloss.Color("#7D56F4")
		colGood   = lipgloss.Color("#04B575")
		colWarn   = lipgloss.Color("#E5C07B")
		colBad    = lipgloss.Color("#FF5F5F")
		colDim    = lipgloss.Color("#808080")
		colSpark  = lipgloss.Color("#56B6C2")
	)
	return styles{
		title:   lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		section: lipgloss.NewStyle().Bold(true).Foreground(colAccent),
		label:   lipgloss.NewStyle().Foreground(colDim),
		dim:     lipgloss.NewStyle().Foreground(colDim),
		good:    lipgloss.NewStyle().Foreground(colGood),
		warn:    lipgloss.NewStyle().Foreground(colWarn),
		bad:     lipgloss.NewStyle().Bold(true).Foreground(colBad),
		paused:  lipgloss.NewStyle().Bold(true).Reverse(true).Foreground(colWarn),
		done:    lipgloss.NewStyle().Bold(true).Foreground(colGood),
		spark:   lipgloss.NewStyle().Foreground(colSpark),
		accent:  lipgloss.NewStyle().Foreground(colAccent),
	}
}
