package auth

import (
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
func TestTOTPRFCVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		if got := TOTPCode(secret, TOTPStep(time.Unix(tc.unix, 0))); got != tc.want {
			t.Errorf("t=%d: code %s, want %s", tc.unix, got, tc.want)
		}
	}
	now := time.Unix(1111111109, 0)
	if _, ok := CheckTOTP(secret, "081804", now); !ok {
		t.Error("current code refused")
	}
	if _, ok := CheckTOTP(secret, "081804", now.Add(5*time.Minute)); ok {
		t.Error("stale code accepted")
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckPassword(h, "correct horse battery"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := CheckPassword(h, "correct horse batterY"); err != ErrMismatch {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("short password accepted")
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle(3, 15*time.Minute)
	now := time.Unix(1000, 0)
	for range 3 {
		th.Fail("ana", now)
	}
	if w := th.Wait("ana", now); w != 0 {
		t.Fatalf("waits %v after the free failures", w)
	}
	th.Fail("ana", now)
	th.Fail("ana", now)
	if w := th.Wait("ana", now); w != 2*time.Second {
		t.Fatalf("waits %v after 5 failures, want 2s", w)
	}
	th.Succeed("ana")
	if w := th.Wait("ana", now); w != 0 {
		t.Fatalf("waits %v after success", w)
	}
}

func TestRoles(t *testing.T) {
	if Viewer.Can(Send) || Caller.Can(Send) || Approver.Can(WorkCalls) || !Commander.Can(Send) || !Admin.Can(ManageRoster) {
		t.Error("grants wrong")
	}
}
