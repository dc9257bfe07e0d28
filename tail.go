package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the owner of this command.
func newTailCmd() *cobra.Command {
	return &cobra.Command{Use: "tail", RunE: func(*cobra.Command, []string) error { return errors.New("not built yet") }}
}
