package tui

import (
	"fmt"
	"math"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sseload/metrics"
)

// The factors + and - apply to the wanted client count.
const (
	moreFactor = 1.1
	lessFactor = 0.9
)

// Update implements tea.Model. Calls into the engine (Controls) run as commands, off
// the UI loop, and come back as messages: a slow engine never freezes the screen.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case snapshotMsg:
		m = m.observe(metrics.Snapshot(msg))
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case tea.KeyPressMsg:
		return m.key(msg)
	case pauseToggledMsg:
		m.paused = msg.paused
		text := "ramp resumed"
		if msg.paused {
			text = "ramp paused"
		}
		m.log = m.log.add(m.last.Elapsed, text)
	case wantedScaledMsg:
		pct := int(math.Round((msg.factor - 1) * 100))
		m.log = m.log.add(m.last.Elapsed, fmt.Sprintf("wanted → %s (%+d%%)", fmtInt(int64(msg.wanted)), pct))
	case finishMsg:
		m.finished = true
		return m, tea.Quit
	}
	return m, nil
}

// observe takes in one snapshot: history, notes, and the engine's word on pausing.
func (m model) observe(s metrics.Snapshot) model {
	if m.have {
		m.prevErrors = m.last.ErrorsByClass
	}
	m.last, m.have = s, true
	m.paused = s.Run.Paused
	m.trend = m.trend.add(s)
	for _, n := range s.Notes {
		m.log = m.log.add(s.Elapsed, n)
	}
	if s.Final {
		m.finished = true
	}
	return m
}

// key handles one key press; steering and quitting happen in commands.
func (m model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit):
		quit := m.quit
		return m, func() tea.Msg {
			quit()
			return tea.QuitMsg{}
		}
	case key.Matches(msg, m.keys.Pause):
		c := m.controls
		return m, func() tea.Msg { return pauseToggledMsg{paused: c.TogglePause()} }
	case key.Matches(msg, m.keys.More):
		return m, m.scale(moreFactor)
	case key.Matches(msg, m.keys.Less):
		return m, m.scale(lessFactor)
	case key.Matches(msg, m.keys.Latency):
		m.interval = !m.interval
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
	}
	return m, nil
}

// scale returns a command asking the engine to scale the wanted clients by factor.
func (m model) scale(factor float64) tea.Cmd {
	c := m.controls
	return func() tea.Msg { return wantedScaledMsg{factor: factor, wanted: c.ScaleWanted(factor)} }
}
