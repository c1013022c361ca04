package engine

// Wake makes Serve look for due work at once (after a new bulletin, say).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}
