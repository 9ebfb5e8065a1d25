package megaclient

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// workerLink hands nodes to a go-mega instance's index as local `t`
// packets; for a worker it is also the whole `sc` channel.
type workerLink struct {
	mu      sync.Mutex
	pending []json.RawMessage
	sn      int
	wake    chan struct{}
}

func newWorkerLink() *workerLink { return &workerLink{wake: make(chan struct{}, 1)} }

func (w *workerLink) inject(nodes ...json.RawMessage) {
	pkt, _ := json.Marshal(map[string]any{"a": "t", "t": map[string]any{"f": nodes}})
	w.mu.Lock()
	w.pending = append(w.pending, pkt)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns and clears the packets waiting for go-mega.
func (w *workerLink) take() []json.RawMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pending
	w.pending = nil
	return p
}

func (w *workerLink) serve(req *http.Request, closed <-chan struct{}, park func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.URL.String() == workerWaitURL {
		select {
		case <-w.wake:
			return localResponse(req, []byte("0")), nil
		case <-closed:
			return park(req)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sn++
	sn := fmt.Sprintf("worker%06d", w.sn)
	var out []byte
	if len(w.pending) > 0 {
		out, _ = json.Marshal(map[string]any{"a": w.pending, "sn": sn})
		w.pending = nil
	} else {
		out, _ = json.Marshal(map[string]any{"w": workerWaitURL, "sn": sn})
	}
	return localResponse(req, out), nil
}
