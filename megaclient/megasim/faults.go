package megasim

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Faults configures injected failures. All zero means off. Every random
// decision comes from a generator seeded by Options.Seed (one stream per
// kind of fault), so a sequential client sees the same faults on every run.
type Faults struct {
	APILatency  time.Duration // added to every cs request
	DataLatency time.Duration // added to every upload piece and download range

	EAGAINRate  float64 // cs requests answered with a bare -3 (nothing executed)
	HTTP500Rate float64 // cs requests, upload pieces and download ranges answered with HTTP 500
	// DropRate is the rate of connections dropped mid-body: a cs reply is
	// cut after half its body (the command did run; the client's retry is
	// answered from the replay cache); an upload piece is cut after half
	// its request body (nothing stored); a download range is cut before the
	// response, or mid-body when DropDownloadMidBody is set (go-mega does
	// not retry a download whose body breaks, so that mode is for testing
	// other transfer engines).
	DropRate            float64
	DropDownloadMidBody bool
	CorruptRate         float64 // download ranges with one byte flipped

	// HashcashLogin answers every cs request carrying us0 or us with a 402
	// proof-of-work challenge until it is resent with a valid X-Hashcash
	// solution; HashcashRate does the same for that fraction of other cs
	// requests. HashcashEasiness is the challenge's easiness, 0..255
	// (255 is cheapest, about two tries); 0 is taken as 255.
	HashcashLogin    bool
	HashcashRate     float64
	HashcashEasiness int
}

type faultKind int

const (
	faultEAGAIN faultKind = iota
	fault500
	faultDrop
	faultCorrupt
	faultHashcash
	faultKinds
)

// faultRNGs holds one seeded generator per fault kind.
type faultRNGs struct {
	mu  sync.Mutex
	r   [faultKinds]*rand.Rand
	hit [faultKinds]int // faults injected, by kind
}

func newFaultRNGs(seed int64) *faultRNGs {
	f := &faultRNGs{}
	for i := range f.r {
		f.r[i] = rand.New(rand.NewPCG(uint64(seed), uint64(i)+0x66617531))
	}
	return f
}

func (f *faultRNGs) intn(k faultKind, n int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.r[k].IntN(n)
}

// roll decides one fault of kind k with probability rate.
func (s *Server) roll(k faultKind, rate float64) bool {
	if rate <= 0 {
		return false
	}
	r := s.rngs
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.r[k].Float64() >= rate {
		return false
	}
	r.hit[k]++
	return true
}

// FaultCount reports how many faults of a kind were injected: "eagain",
// "http500", "drop", "corrupt" or "hashcash" (random challenges only;
// login challenges are counted by CommandCount("hashcash-challenge")).
func (s *Server) FaultCount(kind string) int {
	k, ok := map[string]faultKind{
		"eagain": faultEAGAIN, "http500": fault500, "drop": faultDrop,
		"corrupt": faultCorrupt, "hashcash": faultHashcash,
	}[kind]
	if !ok {
		return 0
	}
	r := s.rngs
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hit[k]
}
