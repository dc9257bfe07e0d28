package load

import (
	"io"
	"runtime/pprof"
)

func pprofWrite(w io.Writer) { pprof.Lookup("heap").WriteTo(w, 0) }
