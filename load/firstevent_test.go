package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"sseload/metrics"
)

// TestFirstEventWithTheHead: a server that writes its head and first events in
// one write (a replay, a greeting) gets a first-event sample for every stream,
// on both HTTP/1.1 paths. The events' read time precedes the open's clock read;
// those samples were once negative and dropped.
func TestFirstEventWithTheHead(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(w, "id: %d\ndata: {\"ts\":%d}\n\n", i, time.Now().UnixNano())
		}
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	for _, io := range h1Paths() {
		t.Run(string(io), func(t *testing.T) {
			sc := quick(srv.URL, 20, 500*time.Millisecond)
			sc.Check, sc.H1IO = "none", io
			sum := run(t, sc, Options{})
			tot := sum.Final.Totals
			got := sum.Final.CumulativeHist[metrics.FirstEvent].TotalCount()
			if tot.StreamsOpened != 20 || got != tot.StreamsOpened || tot.EventsReceived != 60 {
				t.Errorf("streams %d, first-event samples %d, events %d; want 20, 20, 60", tot.StreamsOpened, got, tot.EventsReceived)
			}
		})
	}
}
