package tui

import "charm.land/bubbles/v2/key"

// KeyMap is the dashboard's key bindings; it is also the help bubble's source.
type KeyMap struct {
	Quit      key.Binding // stop the run gracefully: a partial result
	Interrupt key.Binding // stop the run as an interrupt (main exits 130)
	Pause     key.Binding
	More      key.Binding
	Less      key.Binding
	Latency   key.Binding
	Help      key.Binding
}

// DefaultKeyMap returns the dashboard's bindings. Without Controls the bindings
// that steer the run are disabled, which also hides them from the help.
func DefaultKeyMap(steer bool) KeyMap {
	k := KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "interrupt (exit 130)")),
		Pause:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		More:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "wanted +10%")),
		Less:      key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "wanted -10%")),
		Latency:   key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "latency interval/run")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
	k.Pause.SetEnabled(steer)
	k.More.SetEnabled(steer)
	k.Less.SetEnabled(steer)
	return k
}

// ShortHelp returns the one-line help.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Quit, k.Pause, k.More, k.Less, k.Help}
}

// FullHelp returns the help shown after ?, in columns: there the keys say
// precisely what they do.
func (k KeyMap) FullHelp() [][]key.Binding {
	pause, quit := k.Pause, k.Quit
	pause.SetHelp("p", "pause/resume ramp, churn, disconnects")
	quit.SetHelp("q", "quit, keep a partial result")
	return [][]key.Binding{
		{pause, k.More, k.Less, k.Latency},
		{quit, k.Interrupt, k.Help},
	}
}
