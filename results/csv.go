package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// seriesHeader names the columns of WriteSeriesCSV: seconds, counts, rates per
// second, and the interval's p99s in milliseconds (empty: no samples).
var seriesHeader = []string{"t_s", "clients_wanted", "clients_open", "connections", "streams",
	"events_per_s", "bytes_per_s", "errors", "delivery_p99_ms", "open_p99_ms"}

// WriteSeriesCSV writes r's per-tick series as CSV, one row per tick, for a
// spreadsheet or a plotting script.
func WriteSeriesCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(seriesHeader); err != nil {
		return err
	}
	ms := func(d int64) string {
		if d == 0 {
			return ""
		}
		return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64)
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
	for _, p := range r.Series {
		row := []string{
			strconv.FormatFloat(p.Elapsed.Seconds(), 'f', 3, 64),
			strconv.FormatInt(p.ClientsWanted, 10), strconv.FormatInt(p.ClientsOpen, 10),
			strconv.FormatInt(p.Connections, 10), strconv.FormatInt(p.Streams, 10),
			num(p.EventsPerSec), num(p.BytesPerSec), strconv.FormatInt(p.Errors, 10),
			ms(int64(p.DeliveryP99)), ms(int64(p.OpenP99)),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteSeriesCSVFile writes the series CSV to path atomically.
func WriteSeriesCSVFile(path string, r Result) error {
	if err := writeAtomic(path, func(w io.Writer) error { return WriteSeriesCSV(w, r) }); err != nil {
		return fmt.Errorf("write series %s: %w", path, err)
	}
	return nil
}
