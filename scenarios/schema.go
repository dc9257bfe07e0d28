package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

var durationType = reflect.TypeFor[time.Duration]()

// fractionPath matches the fields that are fractions 0..1, which may also be
// written as percentages ("5%"), as their flags may.
var fractionPath = regexp.MustCompile(`^\$\.(churn\.rate|groups\[\d+\]\.share|groups\[\d+\]\.churn\.rate|disconnects\[\d+\]\.fraction|backoff\.jitter)$`)

// sizeType is the type of byte sizes, which may be written with a unit ("64KiB").
var sizeType = reflect.TypeFor[ByteSize]()

// schemaCheck walks a YAML document against the Go type it will be decoded into,
// before goccy decodes it, so that every unknown field and every value of the wrong
// kind is reported with its path and position (the decoder stops at the first, and
// its duration errors carry no position). It also records where each field was
// written.
type schemaCheck struct {
	file    string
	anchors map[string]ast.Node
	pos     map[string]Position
	errs    []error
	// budget bounds the values visited: aliases and merges can make a small
	// document expand exponentially ("billion laughs").
	budget int
}

// maxValues bounds the values a scenario document may expand to through aliases.
const maxValues = 100_000

func newSchemaCheck(file string, body ast.Node) *schemaCheck {
	c := &schemaCheck{
		file:    file,
		anchors: map[string]ast.Node{},
		pos:     map[string]Position{},
		budget:  maxValues,
	}
	// Anchors are collected first so an alias resolves wherever its anchor is.
	for _, n := range ast.Filter(ast.AnchorType, body) {
		a := n.(*ast.AnchorNode)
		if a.Name != nil {
			c.anchors[a.Name.GetToken().Value] = a.Value
		}
	}
	return c
}

// fail records a problem at the node's position.
func (c *schemaCheck) fail(path string, n ast.Node, format string, args ...any) {
	p := positionOf(n)
	c.errs = append(c.errs, &FieldError{
		Path: path, Msg: fmt.Sprintf(format, args...),
		File: c.file, Line: p.Line, Col: p.Col,
	})
}

// value checks n, the value at path, against t.
func (c *schemaCheck) value(path string, t reflect.Type, n ast.Node) {
	if c.budget--; c.budget < 0 {
		if c.budget == -1 {
			c.fail(path, n, "document expands to more than %d values through aliases", maxValues)
		}
		return
	}
	if _, seen := c.pos[path]; !seen {
		if p := positionOf(n); p.Line > 0 {
			c.pos[path] = p
		}
	}
	if tag, ok := c.tag(n); ok {
		// goccy decodes some tagged values wrongly (!!int into int fails), and a
		// scenario has no use for them.
		c.fail(path, n, "YAML tags like %s are not supported: write the plain value", tag)
		return
	}
	n = c.resolve(n)
	if n == nil || n.Type() == ast.NullType {
		return // null decodes to the zero value
	}
	if t == durationType {
		c.duration(path, n)
		return
	}
	if t == sizeType {
		c.size(path, n)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		c.mapping(path, t, n, map[string]bool{}, 0)
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			c.fail(path, n, "want a list, got %s", describe(n))
			return
		}
		for i, item := range seq.Values {
			c.value(fmt.Sprintf("%s[%d]", path, i), t.Elem(), item)
		}
	case reflect.String:
		if !isScalar(n) {
			c.fail(path, n, "want a string, got %s", describe(n))
		}
	case reflect.Int:
		if n.Type() != ast.IntegerType {
			c.fail(path, n, "want an integer, got %s", describe(n))
		}
	case reflect.Float64:
		switch n.Type() {
		case ast.IntegerType, ast.FloatType, ast.InfinityType, ast.NanType:
		case ast.StringType:
			if fractionPath.MatchString(path) {
				if _, err := ParseFraction(n.(*ast.StringNode).Value); err != nil {
					c.fail(path, n, "want a fraction like 0.02 or a percentage like 2%%, got %s", describe(n))
				}
				return
			}
			c.fail(path, n, "want a number, got %s", describe(n))
		default:
			c.fail(path, n, "want a number, got %s", describe(n))
		}
	case reflect.Bool:
		if n.Type() != ast.BoolType {
			c.fail(path, n, "want true or false, got %s", describe(n))
		}
	}
}

// maxMergeDepth bounds "<<" merges of merges; real files use one level.
const maxMergeDepth = 8

// mapping checks the fields of the struct t written in n. seen holds the fields
// already set at this path: keys written in the mapping itself win over merged ones.
func (c *schemaCheck) mapping(path string, t reflect.Type, n ast.Node, seen map[string]bool, depth int) {
	if c.budget--; c.budget < 0 {
		if c.budget == -1 {
			c.fail(path, n, "document expands to more than %d values through aliases", maxValues)
		}
		return
	}
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		c.fail(path, n, "want a mapping of fields, got %s", describe(n))
		return
	}
	fields := yamlFields(t)
	var merges []ast.Node
	for i, kv := range pairs {
		if kv.Key != nil && kv.Key.IsMergeKey() {
			if i > len(merges) {
				// goccy lets a merge after a key override that key, against YAML's
				// rule that a mapping's own keys win.
				c.fail(path, kv.Key, `a "<<" merge must come before the mapping's other keys`)
				continue
			}
			merges = append(merges, kv.Value)
			continue
		}
		key, ok := keyName(kv.Key)
		if !ok {
			c.fail(path, kv.Key, "want a field name, got %s", describe(kv.Key))
			continue
		}
		child := path + "." + key
		f, known := fields[key]
		if !known {
			c.fail(child, kv.Key, "unknown field %q%s", key, suggest(key, fields))
			continue
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		// "ramp:" with no value, and mappings and lists, are placed at their key: a
		// field missing from "churn:" is best shown at "churn:".
		if v := c.resolve(kv.Value); isEmpty(v) || !isScalar(v) {
			if p := positionOf(kv.Key); p.Line > 0 {
				c.pos[child] = p
			}
		}
		c.value(child, f.Type, kv.Value)
	}
	if len(merges) > 0 && depth >= maxMergeDepth {
		c.fail(path, n, "merges nested deeper than %d", maxMergeDepth)
		return
	}
	for _, m := range merges {
		c.merge(path, t, m, seen, depth+1)
	}
}

// merge applies a "<<" value: a mapping, an alias of one, or a list of those.
func (c *schemaCheck) merge(path string, t reflect.Type, n ast.Node, seen map[string]bool, depth int) {
	n = c.resolve(n)
	if seq, ok := n.(*ast.SequenceNode); ok {
		for _, item := range seq.Values {
			item = c.resolve(item)
			c.mapping(path, t, item, seen, depth)
		}
		return
	}
	if n == nil {
		return
	}
	c.mapping(path, t, n, seen, depth)
}

// duration accepts a Go duration string ("1m30s") or a bare 0.
func (c *schemaCheck) duration(path string, n ast.Node) {
	switch v := n.(type) {
	case *ast.StringNode:
		if _, err := time.ParseDuration(v.Value); err == nil {
			return
		}
	case *ast.IntegerNode:
		if isZero(v) {
			return
		}
	}
	c.fail(path, n, "want a duration like \"1m30s\", got %s", describe(n))
}

// size accepts a byte count or a size string ("64KiB").
func (c *schemaCheck) size(path string, n ast.Node) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		return
	case *ast.StringNode:
		if _, err := ParseSize(v.Value); err == nil {
			return
		}
	}
	c.fail(path, n, "want a size like 65536, 64KiB or 1MiB, got %s", describe(n))
}

// resolve follows anchors and aliases to the node that holds the value.
func (c *schemaCheck) resolve(n ast.Node) ast.Node {
	for range 16 { // an alias names an anchor, whose value is no alias
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			if v.Value == nil {
				return nil
			}
			n = c.anchors[v.Value.GetToken().Value]
		default:
			return n
		}
	}
	return nil
}

// tag returns the tag on n or on the anchor it is, if any.
func (c *schemaCheck) tag(n ast.Node) (string, bool) {
	for range 16 {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			if v.Start == nil {
				return "!", true
			}
			return v.Start.Value, true
		default:
			return "", false
		}
	}
	return "", false
}

// yamlFields maps the YAML names of t's fields to the fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	fields := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = f
	}
	return fields
}

// keyName returns a mapping key as text.
func keyName(k ast.MapKeyNode) (string, bool) {
	var n ast.Node = k
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		n = mk.Value
	}
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case ast.ScalarNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	return "", false
}

func isScalar(n ast.Node) bool {
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType, ast.SequenceType:
		return false
	}
	return true
}

func isEmpty(n ast.Node) bool { return n == nil || n.Type() == ast.NullType }

func isZero(n *ast.IntegerNode) bool {
	switch v := n.Value.(type) {
	case int64:
		return v == 0
	case uint64:
		return v == 0
	}
	return false
}

// describe names a node's value for a message: its text, or its kind.
func describe(n ast.Node) string {
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.StringType, ast.LiteralType:
		s := fmt.Sprint(n.(ast.ScalarNode).GetValue())
		return strconv.Quote(truncate(s, 40))
	}
	if tk := n.GetToken(); tk != nil {
		return truncate(tk.Value, 40)
	}
	return n.Type().String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// positionOf returns where n starts: a block mapping's first key rather than its
// first ':' (goccy's token for it).
func positionOf(n ast.Node) Position {
	for {
		switch v := n.(type) {
		case nil:
			return Position{}
		case *ast.MappingNode:
			if len(v.Values) > 0 && !v.IsFlowStyle {
				n = v.Values[0]
				continue
			}
		case *ast.MappingValueNode:
			if v.Key != nil {
				n = v.Key
				continue
			}
		}
		if reflect.ValueOf(n).IsNil() {
			return Position{}
		}
		tk := n.GetToken()
		if tk == nil || tk.Position == nil {
			return Position{}
		}
		return Position{Line: tk.Position.Line, Col: tk.Position.Column}
	}
}

// suggest returns ` (did you mean "x"?)` for the known field closest to an unknown
// key, when one is close enough to be a likely typo, or for a field of that name
// one level down ("insecure" → "tls.insecure").
func suggest(key string, fields map[string]reflect.StructField) string {
	best, bestDist := "", 3
	for name := range fields {
		if d := editDistance(strings.ToLower(key), name); d < bestDist || (d == bestDist && best != "" && name < best) {
			best, bestDist = name, d
		}
	}
	if best == "" {
		for name, f := range fields {
			if f.Type.Kind() != reflect.Struct || f.Type == durationType {
				continue
			}
			if _, ok := yamlFields(f.Type)[key]; ok && (best == "" || name < best) {
				best = name + "." + key
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // far apart; not worth the quadratic work
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
