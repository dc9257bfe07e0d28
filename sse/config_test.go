package sse_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"sseload/sse"
)

func TestConfigRedacts(t *testing.T) {
	cfg := sse.Config{
		URL:         "https://user:pa55@example.test/events",
		Header:      http.Header{"Authorization": {"Bearer s3cret"}, "cookie": {"session=t0ken"}, "X-Trace": {"visible"}},
		LastEventID: "9",
		Retry:       time.Second,
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("client", "config", cfg)
	for name, out := range map[string]string{"String": cfg.String(), "LogValue": logged.String()} {
		for _, secret := range []string{"s3cret", "t0ken", "pa55"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s leaks %q: %s", name, secret, out)
			}
		}
		for _, keep := range []string{"REDACTED", "visible", "example.test/events", "1s"} {
			if !strings.Contains(out, keep) {
				t.Errorf("%s lacks %q: %s", name, keep, out)
			}
		}
	}
	if cfg.Header.Get("Authorization") != "Bearer s3cret" {
		t.Error("String changed the caller's header")
	}
}

func TestConfigStringUnparsableURL(t *testing.T) {
	cfg := sse.Config{URL: "http://user:pa55@exa mple/x"}
	if s := cfg.String(); strings.Contains(s, "pa55") || !strings.Contains(s, "http://REDACTED@exa mple/x") {
		t.Errorf("String() = %s, want the password hidden", s)
	}
}

func TestReadyStateString(t *testing.T) {
	tests := []struct {
		s    sse.ReadyState
		want string
	}{
		{sse.Connecting, "CONNECTING"},
		{sse.Open, "OPEN"},
		{sse.Closed, "CLOSED"},
		{7, "ReadyState(7)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("ReadyState(%d).String() = %q, want %q", int32(tt.s), got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"99999999999999999999", 0}, // does not parse as int64: not a date either
		{"9999999999", 24 * time.Hour},
		{"Wed, 02 Dec 2026 10:00:30 GMT", 30 * time.Second},
		{"Wed, 02 Dec 2026 09:00:00 GMT", 0}, // in the past
	}
	for _, tt := range tests {
		if got := sse.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
