package metrics

// BrowserTabs is what the tabs of a run's simulated browsers got: streams,
// and the wait for a connection that a browser's per-origin limit imposes.
type BrowserTabs struct {
	Browsers       int `json:"browsers"`
	TabsPerBrowser int `json:"tabs_per_browser"`
	// PerOrigin is the connection limit the tabs waited on; 0 over HTTP/2,
	// where a browser's tabs share one connection.
	PerOrigin int `json:"per_origin,omitempty"`
	Tabs      int `json:"tabs"`
	// Opened counts the tabs that had a stream open at some point.
	Opened int `json:"opened"`
	// WaitedOverMs counts the tabs whose first connection waited more than a
	// millisecond for a free slot; WaitingAtEnd those still waiting when the
	// run ended.
	WaitedOverMs int64 `json:"waited_over_ms"`
	WaitingAtEnd int64 `json:"waiting_at_end"`
	// Wait is each tab's first wait for a slot (0 without a limit), and
	// WaitHDR its HdrHistogram V2 compressed encoding.
	Wait    Summary `json:"wait"`
	WaitHDR string  `json:"wait_hdr"`
}
