// Package scenarios defines what a run is: the Scenario schema, its YAML parsing with
// problems reported at file:line:col, validation that reports every problem at once,
// defaults, and the built-in scenarios.
//
// A scenario from a file is read with LoadSource (or ParseSource), overridden by the
// command line's flags (the table Flags, applied by FlagValues.Apply), completed
// with Defaults and checked with Validate; Locate then places each problem at the
// flag or the file position that set the field:
//
//	sc, src, err := scenarios.LoadSource(path)
//	if err != nil {
//		return err // already "scenario.yaml:3:10: $.clients: want an integer, got \"many\""
//	}
//	if err := flags.Apply(&sc); err != nil {
//		return err // "--clients: want an integer"
//	}
//	sc.Defaults()
//	if err := scenarios.Locate(sc.Validate(), src, cmd.Flags().Changed); err != nil {
//		return err // "scenario.yaml:7:9: $.churn.rate: must be between 0 and 1, got 1.5"
//	}
//
// The package runs nothing: no goroutines, no network.
package scenarios
