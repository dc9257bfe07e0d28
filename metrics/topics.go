package metrics

import "sync"

// MaxTopics is how many topics witness mode keeps a history for; the streams
// of further topics are not judged.
const MaxTopics = 256

// topicHistory is the positions kept for each topic but the first: an eighth
// of the single history (about 0.5 MB), hundreds of seconds at tens of events
// per second, so that many topics fit.
const topicHistory = historyLen / 8

// topics are the witness histories by topic, created as streams ask.
type topics struct {
	first int // positions of the first topic's history
	mu    sync.Mutex
	m     map[string]*history
}

func newTopics(first int) *topics { return &topics{first: first, m: map[string]*history{}} }

// get returns topic's history, creating it; nil once MaxTopics exist.
func (t *topics) get(topic string) *history {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h, ok := t.m[topic]; ok {
		return h
	}
	if len(t.m) >= MaxTopics {
		return nil
	}
	size := t.first
	if len(t.m) > 0 {
		size = min(t.first, topicHistory)
	}
	h := newHistory(size)
	t.m[topic] = h
	return h
}
