package megasim_test

import (
	"fmt"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/megaclient/megasim"
)

// Start a server in-process, log in with go-mega, and create a folder.
// For https data URLs use srv.HTTPClient() as the client (or point
// SSL_CERT_FILE at srv.CAFile() for a subprocess).
func Example() {
	srv, err := megasim.Start(megasim.Options{
		Accounts: []megasim.Account{{Email: "demo@example.com", Password: "demo password", Version: 1}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	m := mega.New().SetClient(srv.HTTPClient()).SetLogger(nil)
	m.SetAPIUrl(srv.URL())
	if err := m.Login("demo@example.com", "demo password"); err != nil {
		fmt.Println(err)
		return
	}
	dir, err := m.CreateDir("Photos", m.FS.GetRoot())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dir.GetName(), srv.CommandCount("p"))
	// Output: Photos 1
}
