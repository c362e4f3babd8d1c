package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"weave.works/weave/api"
	"weave.works/weave/daemon"
)

// resetStopWait bounds how long reset waits for a running daemon to stop.
const resetStopWait = 15 * time.Second

func reset(args []string) error {
	def := daemon.DefaultConfig()
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	dataDir := fs.String("data-dir", def.DataDir, "state directory of the daemon")
	pluginDir := fs.String("plugin-dir", def.PluginDir, "Docker plugin socket directory")
	c, rest, err := parseClient(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("reset takes no arguments, got %v", rest)
	}
	if err := stopAndWait(c); err != nil {
		return err
	}
	removed, err := daemon.Reset(*dataDir, *pluginDir)
	for _, r := range removed {
		fmt.Println("removed " + r)
	}
	if len(removed) == 0 && err == nil {
		fmt.Println("nothing to remove")
	}
	return err
}

// stopAndWait stops a running daemon and waits until its API no longer answers.
func stopAndWait(c *api.Client) error {
	ctx, cancel := withTimeout()
	defer cancel()
	err := c.Stop(ctx)
	if errors.Is(err, api.ErrNotRunning) {
		return nil
	}
	if err != nil {
		return err
	}
	deadline := time.Now().Add(resetStopWait)
	for time.Now().Before(deadline) {
		if _, err := c.Status(ctx); errors.Is(err, api.ErrNotRunning) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the daemon still answers %s after %s; stop it and run reset again",
		c.Addr, resetStopWait)
}
