package megaclient

import (
	"context"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkEventChannelGarbage measures what a client costs while its
// event channel answers garbage, against the same client on a healthy
// channel: polls and CPU time (this process: client, proxy and megasim)
// over 3 s.
//
//	go test -run XXX -bench EventChannelGarbage -benchtime 1x ./megaclient
func BenchmarkEventChannelGarbage(b *testing.B) {
	for _, mode := range []string{"healthy", "garbage"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				s, h := startHostile(b)
				c, err := connectVia(b, h, nil)
				if err != nil {
					b.Fatal(err)
				}
				other := connect(b, s, nil)
				var polls atomic.Int32
				h.Rewrite("sc", func(_, reply []byte) []byte {
					polls.Add(1)
					if mode == "garbage" {
						return []byte("<html>502</html>")
					}
					return nil
				})
				if _, err := other.Mkdir(context.Background(), "/", "poke"); err != nil {
					b.Fatal(err)
				}
				before := cpuTime()
				time.Sleep(3 * time.Second)
				used := cpuTime() - before
				b.ReportMetric(float64(polls.Load()), "polls/3s")
				b.ReportMetric(float64(used.Milliseconds()), "cpu-ms/3s")
				h.Rewrite("sc", nil)
				_ = c
			}
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
