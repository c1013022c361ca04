package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// Model holds the simulated carriers' and people's parameters. Defaults and
// their sources: SIM-MODEL.md.
type Model struct {
	SMSFailure     float64 // undeliverable share
	SMSLatency     LogNorm // carrier latency
	SMSRead        LogNorm // delay from delivery to reading
	SMSAck         float64 // eventual ack given read
	SMSAckDelay    LogNorm // delay from reading to acking
	VoiceAnswer    float64 // answer rate (organisation's caller ID shown)
	VoicePickupMin float64 // seconds
	VoicePickupMax float64 // seconds
	VoiceRing      float64 // ring timeout, seconds
	VoiceKey       float64 // presses a key given answered
	VoiceScript    float64 // seconds until the keypress prompt
	EmailBounce    float64 // hard bounce share
	EmailLatency   LogNorm //
	EmailAtDesk    float64 // share reading soon
	EmailDeskMean  float64 // mean read delay at desk, seconds (exponential)
	EmailAway      LogNorm // read delay away from desk
	EmailAck       float64 //
	ChatOnline     float64 //
	ChatMean       float64 // seconds (exponential)
	ChatAck        float64 //
	AckDelay       LogNorm // email and chat: reading to acking
	CallerForget   float64 // a relay caller never works the list (judgement)
	CallerPerCall  float64 // seconds a call
	CallerAnswer   float64 // a callee answers a known caller
	CallerRetry    float64 // seconds before calling again
	CallerGiveUp   float64 // seconds after which the caller stops
	CallerMarks    float64 // the caller marks a reached callee on the page
}

// LogNorm is a log-normal distribution with median M seconds and log-sd S.
type LogNorm struct{ M, S float64 }

func (l LogNorm) draw(r *rand.Rand) float64 { return l.M * math.Exp(l.S*r.NormFloat64()) }

// DefaultModel is business hours, from SIM-MODEL.md.
func DefaultModel() Model {
	return Model{
		SMSFailure: 0.035, SMSLatency: LogNorm{5, 1.0}, SMSRead: LogNorm{60, 1.2},
		SMSAck: 0.55, SMSAckDelay: LogNorm{300, 1.3},
		VoiceAnswer: 0.53, VoicePickupMin: 5, VoicePickupMax: 25, VoiceRing: 60,
		VoiceKey: 0.8, VoiceScript: 20,
		EmailBounce: 0.01, EmailLatency: LogNorm{30, 1.5}, EmailAtDesk: 0.5,
		EmailDeskMean: 360, EmailAway: LogNorm{5 * 3600, 2.2}, EmailAck: 0.6,
		ChatOnline: 0.6, ChatMean: 360, ChatAck: 0.6, AckDelay: LogNorm{120, 1.0},
		CallerForget: 0.15, CallerPerCall: 150, CallerAnswer: 0.7, CallerRetry: 300,
		CallerGiveUp: 1200, CallerMarks: 0.9,
	}
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// fate is what will become of one attempt: reports offset from the send.
type fate struct {
	delivered, failed bool
	deliverAfter      float64
	ack               bool
	ackAfter          float64
}

func (m *Model) fate(method string, r *rand.Rand) fate {
	switch method {
	case "sms":
		return m.smsFate(r)
	case "voice":
		return m.voiceFate(r)
	case "email":
		return m.readFate(r, m.EmailBounce, m.EmailLatency.draw(r), m.emailRead(r), m.EmailAck)
	default: // webhook, chat
		online := r.Float64() < m.ChatOnline
		read := math.Inf(1)
		if online {
			read = r.ExpFloat64() * m.ChatMean
		}
		return m.readFate(r, 0, 1, read, m.ChatAck)
	}
}

func (m *Model) smsFate(r *rand.Rand) fate {
	f := fate{deliverAfter: m.SMSLatency.draw(r)}
	if r.Float64() < m.SMSFailure {
		f.failed = true
		return f
	}
	f.delivered = true
	read := f.deliverAfter + m.SMSRead.draw(r)
	if r.Float64() < m.SMSAck {
		f.ack, f.ackAfter = true, read+m.SMSAckDelay.draw(r)
	}
	return f
}

func (m *Model) voiceFate(r *rand.Rand) fate {
	pickup := m.VoicePickupMin + r.Float64()*(m.VoicePickupMax-m.VoicePickupMin)
	if r.Float64() >= m.VoiceAnswer {
		// voicemail (taken at pick-up time) or no answer (ring timeout), 50/50
		if r.Float64() < 0.5 {
			return fate{failed: true, deliverAfter: pickup}
		}
		return fate{failed: true, deliverAfter: m.VoiceRing}
	}
	f := fate{delivered: true, deliverAfter: pickup}
	if r.Float64() < m.VoiceKey {
		f.ack, f.ackAfter = true, pickup+m.VoiceScript+r.Float64()*10
	}
	return f
}

func (m *Model) emailRead(r *rand.Rand) float64 {
	if r.Float64() < m.EmailAtDesk {
		return r.ExpFloat64() * m.EmailDeskMean
	}
	return m.EmailAway.draw(r)
}

func (m *Model) readFate(r *rand.Rand, bounce, latency, read, ack float64) fate {
	f := fate{deliverAfter: latency}
	if r.Float64() < bounce {
		f.failed = true
		return f
	}
	f.delivered = true
	if !math.IsInf(read, 1) && r.Float64() < ack {
		f.ack, f.ackAfter = true, latency+read+m.AckDelay.draw(r)
	}
	return f
}
