package megaclient

import "sync"

// Subscription delivers the handles of folders whose content changed
// (nodes added, removed, renamed or moved in or out), from this client or
// any other session of the account. Changes that arrive while the reader
// is busy are merged into one batch, so the event poller never waits for
// a slow reader.
type Subscription struct {
	c       chan []string
	mu      sync.Mutex
	pending map[string]bool
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
	parent  *subscribers
}

// Changes returns the channel of changed folder handles; it is closed by
// Close (of the subscription or of the Client).
func (s *Subscription) Changes() <-chan []string { return s.c }

// Close ends the subscription.
func (s *Subscription) Close() {
	s.once.Do(func() {
		close(s.done)
		s.parent.remove(s)
	})
}

func (s *Subscription) add(changed map[string]bool) {
	s.mu.Lock()
	for h := range changed {
		if h != "" {
			s.pending[h] = true
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) run() {
	defer close(s.c)
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		batch := make([]string, 0, len(s.pending))
		for h := range s.pending {
			batch = append(batch, h)
		}
		s.pending = map[string]bool{}
		s.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		select {
		case s.c <- batch:
		case <-s.done:
			return
		}
	}
}

type subscribers struct {
	mu   sync.Mutex
	subs map[*Subscription]bool
}

func newSubscribers() *subscribers { return &subscribers{subs: map[*Subscription]bool{}} }

func (ss *subscribers) notify(changed map[string]bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for s := range ss.subs {
		s.add(changed)
	}
}

func (ss *subscribers) remove(s *Subscription) {
	ss.mu.Lock()
	delete(ss.subs, s)
	ss.mu.Unlock()
}

func (ss *subscribers) closeAll() {
	ss.mu.Lock()
	all := make([]*Subscription, 0, len(ss.subs))
	for s := range ss.subs {
		all = append(all, s)
	}
	ss.mu.Unlock()
	for _, s := range all {
		s.Close()
	}
}

// Subscribe starts a subscription to folder changes.
func (c *Client) Subscribe() *Subscription {
	s := &Subscription{c: make(chan []string), pending: map[string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{}), parent: c.subs}
	c.subs.mu.Lock()
	c.subs.subs[s] = true
	c.subs.mu.Unlock()
	go s.run()
	return s
}
