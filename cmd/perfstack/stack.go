package main

import (
	"context"
	"errors"
)

// up and down arrive with harness.StartStack.
func up(ctx context.Context, args []string) error { return errors.New("up: not available yet") }
func down(ctx context.Context) error              { return errors.New("down: not available yet") }
