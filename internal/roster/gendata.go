package roster

// The small lists Generate draws from.

var firstNames = [...]string{
	"Ana", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "James",
	"Kemi", "Liam", "Maria", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara",
	"Umar", "Vera", "Wei", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chen", "Dara",
	"Emil", "Fatima", "Gabriel", "Hana", "Ivan", "Julia", "Kofi", "Lucia", "Mateo", "Nora",
	"Oscar", "Paula", "Rahul", "Sofia", "Tomas", "Uma", "Victor", "Yara",
}

var lastNames = [...]string{
	"Ruiz", "Ode", "Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Lopez",
	"Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
	"White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
	"Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
	"Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Okafor", "Kim", "Patel",
}

// departments[0] is the root's.
var departments = [...]string{
	"exec", "engineering", "sales", "operations", "finance", "legal", "hr",
	"marketing", "support", "it", "security", "facilities",
}

var languages = [...]string{
	"en", "en", "en", "en", "en", "en", "en", "en", "en", "en",
	"en", "en", "en", "en", "en", "en", "en", "en", "es", "es", "fr", "en", "en", "en", "en",
}

// orders: mostly the bulletin's default, a few people with their own.
var orders = [...]string{
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
	"", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "voice;sms;email", "email;sms",
}

type area struct{ code, site, tz string }

// areas are US area codes where every exchange 200-999 is a valid number
// for libphonenumber (the tests check).
var areas = [...]area{
	{"212", "nyc", "America/New_York"}, {"646", "nyc", "America/New_York"},
	{"718", "nyc", "America/New_York"}, {"917", "nyc", "America/New_York"},
	{"201", "newark", "America/New_York"}, {"202", "dc", "America/New_York"},
	{"617", "boston", "America/New_York"}, {"215", "philadelphia", "America/New_York"},
	{"412", "pittsburgh", "America/New_York"}, {"305", "miami", "America/New_York"},
	{"404", "atlanta", "America/New_York"}, {"313", "detroit", "America/Detroit"},
	{"312", "chicago", "America/Chicago"}, {"773", "chicago", "America/Chicago"},
	{"713", "houston", "America/Chicago"}, {"832", "houston", "America/Chicago"},
	{"214", "dallas", "America/Chicago"}, {"512", "austin", "America/Chicago"},
	{"615", "nashville", "America/Chicago"}, {"303", "denver", "America/Denver"},
	{"801", "saltlake", "America/Denver"}, {"602", "phoenix", "America/Phoenix"},
	{"310", "la", "America/Los_Angeles"}, {"213", "la", "America/Los_Angeles"},
	{"415", "sf", "America/Los_Angeles"}, {"628", "sf", "America/Los_Angeles"},
	{"669", "sanjose", "America/Los_Angeles"}, {"206", "seattle", "America/Los_Angeles"},
	{"425", "seattle", "America/Los_Angeles"}, {"503", "portland", "America/Los_Angeles"},
	{"971", "portland", "America/Los_Angeles"}, {"702", "vegas", "America/Los_Angeles"},
	{"949", "irvine", "America/Los_Angeles"}, {"808", "honolulu", "Pacific/Honolulu"},
	{"347", "nyc", "America/New_York"}, {"929", "nyc", "America/New_York"},
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
