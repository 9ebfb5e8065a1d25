package megaclient

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

func TestTransferQuota(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	data := randomBytes(400000, 11)
	e := uploadFile(t, c, "/", "big", data)
	link, err := c.Link(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := openLink(t, s, link)
	for _, tc := range []struct {
		name     string
		download func(dst *memFile) error
	}{
		{"account", func(dst *memFile) error { return c.Download(ctx, e.ID, dst, nil) }},
		{"link", func(dst *memFile) error { return p.Download(ctx, p.Root().ID, dst, nil) }},
	} {
		// Over quota before the download: `g` refuses with tl.
		s.SetTransferQuota(1, 2*time.Second)
		var warm memFile
		_ = c.Download(ctx, uploadFile(t, c, "/", "warm-"+tc.name, []byte("xx")).ID, &warm, nil)
		var f memFile
		err := tc.download(&f)
		var qe *TransferQuotaError
		if !errors.Is(err, model.ErrTransferQuota) || !errors.As(err, &qe) || qe.Wait <= 0 || qe.Wait > 2*time.Second {
			t.Fatalf("%s: over quota at g: %v (%+v), want a TransferQuotaError with the server's wait", tc.name, err, qe)
		}
		// Quota runs out mid-file: the storage host answers 509.
		s.SetTransferQuota(500000, 2*time.Second)
		if err := tc.download(&memFile{}); err != nil {
			t.Fatalf("%s: first download within the quota: %v", tc.name, err)
		}
		refused := s.TransferQuotaRefusals()
		err = tc.download(&memFile{})
		if !errors.As(err, &qe) || qe.Wait <= 0 {
			t.Fatalf("%s: over quota on the data path: %v, want a TransferQuotaError", tc.name, err)
		}
		if s.TransferQuotaRefusals() == refused {
			t.Fatalf("%s: no 509 was served", tc.name)
		}
		time.Sleep(qe.Wait) // the quota comes back after the announced wait
		f = memFile{}
		if err := tc.download(&f); err != nil || !bytes.Equal(f.buf, data) {
			t.Fatalf("%s: after the wait: %v (%d bytes)", tc.name, err, len(f.buf))
		}
		s.SetTransferQuota(0, 0)
	}
}
