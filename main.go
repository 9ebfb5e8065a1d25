// Command megatui is a terminal file manager for MEGA cloud storage.
package main

import (
	"os"

	"github.com/megatui/megatui/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(cli.Main(version))
}
