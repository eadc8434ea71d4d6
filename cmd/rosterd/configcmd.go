package main

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func configCommand() *command {
	c := &command{
		name:    "config",
		args:    "check [--config FILE]",
		summary: "Check the config file: syntax, values and that every credential can be read",
		describe: `
"rosterd config check" loads the config as every other command does, then
reads each connection's credentials from their files or environment
variables, without printing them. It exits 0 when the config is valid and
1 otherwise, naming the key that is wrong.`,
	}
	c.run = func(ctx context.Context, e *env, args []string) int {
		var configPath string
		fs := c.flagSet(e, &configPath)
		pos, err := parseInterspersed(fs, args)
		if err != nil {
			return exitCodeForFlagErr(err)
		}
		if len(pos) != 1 || pos[0] != "check" {
			e.errorf(`config needs the subcommand "check"`)
			fs.Usage()
			return exitFailure
		}
		cfg, err := ReadConfigFile(configPath)
		if err != nil {
			e.errorf("%v", err)
			return exitFailure
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "state\t%s\n", cfg.path(cfg.State.Path))
		problems := 0
		for i := range cfg.Connections {
			conn := &cfg.Connections[i]
			status := "credentials readable"
			a := &app{cfg: cfg, log: newLogger(e.stderr, cfg.Log)}
			if _, err := a.connection(conn); err != nil {
				status = "ERROR: " + err.Error()
				problems++
			}
			fmt.Fprintf(tw, "connection %s\t%s\t%s\n", conn.Name, conn.Source.describe(), status)
		}
		tw.Flush()
		if problems > 0 {
			e.errorf("config %s: %d connection(s) cannot read their credentials", configPath, problems)
			return exitFailure
		}
		fmt.Fprintf(e.stdout, "config %s is valid\n", configPath)
		return exitOK
	}
	return c
}

// cleverAuthMode says where a Clever connection's credential comes from,
// never what it is.
func cleverAuthMode(c *CleverConfig) string {
	switch {
	case c.TokenFile != "":
		return "token from file " + c.TokenFile
	case c.TokenEnv != "":
		return "token from $" + c.TokenEnv
	case c.ClientSecretFile != "":
		return "client " + c.ClientID + ", secret from file " + c.ClientSecretFile + ", district " + c.DistrictID
	default:
		return "client " + c.ClientID + ", secret from $" + c.ClientSecretEnv + ", district " + c.DistrictID
	}
}
