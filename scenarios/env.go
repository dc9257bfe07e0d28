package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"sseload/redact"
)

// expandEnv replaces ${NAME} in every string of s with the environment variable
// NAME, as a scenario file may pass secrets (tokens, cookies) without writing
// them down; $${ stands for a literal ${. A variable that is not set is an
// error at its field. It returns the values it put in from variables whose
// names say they hold credentials (API_TOKEN, SESSION_COOKIE: redact's
// IsSecretName), which are secrets to redact wherever the scenario is shown.
func expandEnv(s *Scenario, lookup func(string) (string, bool), file string, pos map[string]Position) ([]string, error) {
	var secrets []string
	var errs []error
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == durationType {
				return
			}
			for name, f := range yamlFields(v.Type()) {
				walk(path+"."+name, v.FieldByIndex(f.Index))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
			}
		case reflect.String:
			out, used, err := expand(v.String(), lookup)
			if err != nil {
				p := pos[path]
				errs = append(errs, &FieldError{Path: path, Msg: err.Error(), File: file, Line: p.Line, Col: p.Col})
				return
			}
			v.SetString(out)
			secrets = append(secrets, used...)
		}
	}
	walk("$", reflect.ValueOf(s).Elem())
	return secrets, errors.Join(errs...)
}

// expand replaces ${NAME} in s and returns the values it used.
func expand(s string, lookup func(string) (string, bool)) (string, []string, error) {
	if !strings.Contains(s, "${") {
		return s, nil, nil
	}
	var b strings.Builder
	var used []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), used, nil
		}
		if i > 0 && s[i-1] == '$' { // $${: a literal ${
			b.WriteString(s[:i-1] + "${")
			s = s[i+2:]
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", nil, fmt.Errorf("unclosed ${ (write $${ for a literal ${)")
		}
		name := s[i+2 : i+end]
		if !isEnvName(name) {
			return "", nil, fmt.Errorf("${%s}: not an environment variable name", name)
		}
		val, ok := lookup(name)
		if !ok {
			return "", nil, fmt.Errorf("environment variable %s is not set (write $${ for a literal ${)", name)
		}
		b.WriteString(s[:i] + val)
		if redact.IsSecretName(name) {
			used = append(used, val)
		}
		s = s[i+end+1:]
	}
}

// isEnvName reports whether name is a portable environment variable name.
func isEnvName(name string) bool {
	if name == "" || ('0' <= name[0] && name[0] <= '9') {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
