package main

import (
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// buildVersion reads it from the build information.
var version = ""

// buildVersion says which sseload this is: the module version the go command
// stamped (a tag, or a pseudo-version of the commit), the VCS revision and time,
// whether the tree had changes, and the Go it was built with:
// "v0.1.0, 9fcfdd5abc12, 2026-12-02, modified, go1.26.8".
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	return versionOf(info)
}

// versionOf formats a build's information as buildVersion says.
func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	details := []string{v}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		details = append(details, rev[:min(12, len(rev))])
	}
	if t := settings["vcs.time"]; t != "" {
		details = append(details, strings.SplitN(t, "T", 2)[0])
	}
	if settings["vcs.modified"] == "true" {
		details = append(details, "modified")
	}
	details = append(details, info.GoVersion)
	return strings.Join(details, ", ")
}
