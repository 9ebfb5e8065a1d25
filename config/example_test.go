package config_test

import (
	"fmt"

	"github.com/megatui/megatui/config"
)

// A complete config.toml. Every key is optional; left-out keys keep their
// defaults. There is no key for passwords or sessions: those live in the
// OS keyring.
func ExampleParse() {
	const text = `
[[remote]]
name = "work"
email = "alice@example.com"

[[remote]]
name = "sim"                       # a local megasim, e.g. for the demo
email = "demo@example.com"
api_url = "http://127.0.0.1:4000"

[transfers]
transfers = 4          # files at once (1-32)
chunk_workers = 3      # chunks of one file at once (1-30)
conflict = "ask"       # ask | skip | overwrite | rename
bwlimit = "10M"        # "" or "off" = unlimited; B, K, M, G, T; bare number = KiB/s

[ui]
theme = "auto"         # auto | dark | light
show_hidden = false
`
	c, err := config.Parse("config.toml", []byte(text))
	if err != nil {
		fmt.Println(err)
		return
	}
	bw, _ := c.Transfers.BandwidthLimit()
	fmt.Println(len(c.Remotes), c.Remotes[1].APIURL, c.Transfers.Conflict, bw)
	// Output: 2 http://127.0.0.1:4000 ask 10485760
}
