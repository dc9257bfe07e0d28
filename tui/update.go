package tui

import (
	"fmt"
	"math"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sseload/human"
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
		text := "schedule resumed"
		if msg.paused {
			text = "schedule paused: ramp, churn and scheduled disconnects stand still"
		}
		m.log = m.log.add(msg.at, text)
	case wantedScaledMsg:
		pct := int(math.Round((msg.factor - 1) * 100))
		text := fmt.Sprintf("wanted → %s (%+d%%)", human.Count(int64(msg.wanted)), pct)
		if msg.full != msg.wanted {
			text = fmt.Sprintf("wanted → %s now, %s at full strength (%+d%%)",
				human.Count(int64(msg.wanted)), human.Count(int64(msg.full)), pct)
		}
		m.log = m.log.add(msg.at, text)
	case finishMsg:
		m.finished = true
		return m, tea.Quit
	}
	return m, nil
}

// observe takes in one snapshot: history, the engine's notes and those the
// dashboard derives by comparing it with the ones before, the engine's word on
// pausing.
func (m model) observe(s metrics.Snapshot) model {
	var derived []string
	if m.have {
		derived = deriveNotes(m.prev, m.last, s)
		m.prev = m.last
	} else {
		derived = deriveNotes(metrics.Snapshot{}, metrics.Snapshot{}, s)
	}
	m.last, m.have, m.seenAt = s, true, m.now()
	m.paused = s.Run.Paused
	m.trend = m.trend.add(s)
	// Each note at the time it happened, up to a tick before the snapshot.
	at := noteTimes(s)
	for i, n := range s.Notes {
		m.log = m.log.add(at[i], n)
	}
	for _, n := range derived {
		m.log = m.log.add(s.Elapsed, n)
	}
	if s.Final {
		m.finished = true
	}
	return m
}

// pressed returns m with the run time of a key press just made: the latest
// snapshot's elapsed time plus the wall time since it arrived. It never goes
// back, so two quick presses log in the order they were made even when their
// results come back the other way round.
func (m model) pressed() model {
	at := m.last.Elapsed
	if m.have {
		at += max(0, m.now().Sub(m.seenAt))
	}
	m.pressAt = max(at, m.pressAt+time.Nanosecond)
	return m
}

// key handles one key press; steering and quitting happen in commands.
func (m model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Quit), key.Matches(msg, m.keys.Interrupt):
		quit, interrupted := m.quit, key.Matches(msg, m.keys.Interrupt)
		return m, func() tea.Msg {
			quit(interrupted)
			return tea.QuitMsg{}
		}
	case key.Matches(msg, m.keys.Pause):
		m = m.pressed()
		c, at := m.controls, m.pressAt
		return m, func() tea.Msg { return pauseToggledMsg{paused: c.TogglePause(), at: at} }
	case key.Matches(msg, m.keys.More):
		m = m.pressed()
		return m, m.scale(moreFactor)
	case key.Matches(msg, m.keys.Less):
		m = m.pressed()
		return m, m.scale(lessFactor)
	case key.Matches(msg, m.keys.Latency):
		m.interval = !m.interval
	case key.Matches(msg, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
	}
	return m, nil
}

// scale returns a command asking the engine to scale the wanted clients by factor,
// for the key press at m.pressAt.
func (m model) scale(factor float64) tea.Cmd {
	c, at := m.controls, m.pressAt
	return func() tea.Msg {
		now, full := c.ScaleWanted(factor)
		return wantedScaledMsg{factor: factor, wanted: now, full: full, at: at}
	}
}
