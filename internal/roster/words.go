package roster

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// wordList is where anti-phishing words come from: short, common, easy to
// say on the phone and hard to mistake for one another.
var wordList = strings.Fields(`
amber anchor apple arrow aspen atlas autumn badger bamboo banjo barley basil beacon beaver birch bison
blossom bramble breeze bronze buffalo cactus camel canyon cedar cello cherry chestnut cider citrus clover cobalt
comet copper coral cosmos cotton coyote crane crater crimson crystal cypress dahlia daisy delta desert dolphin
dragon eagle ebony echo ember emerald falcon fennel fern fiddle finch fjord flint forest fossil fox
galaxy garnet gazelle geyser ginger glacier granite grape gravel harbor harvest hazel heron hickory honey horizon
husky iris island ivory jade jaguar jasmine juniper kayak kestrel kettle kiwi lagoon lantern lark lava
lemon lilac lime linen lotus lynx magnet mango maple marble meadow melon meteor mint mirror moose
nectar nutmeg oak oasis ocean olive onyx orchid otter owl panda papaya parrot pebble pecan pelican
pepper pine plum polar poppy prairie puffin quartz quill rabbit radish raven reef ribbon river robin
saffron sage salmon sapphire satin sequoia shadow sierra silver sparrow spruce squirrel summit sunset swan tango
thistle thunder tiger topaz tulip tundra turtle valley velvet violet walnut walrus willow wind winter wren
yarrow zebra zenith zinnia`)

// NewWord returns a fresh anti-phishing word (two list words joined by a
// hyphen, about 47,000 possibilities) from the random source.
func NewWord(rnd io.Reader) (string, error) {
	var b [4]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("anti-phishing word: %w", err)
	}
	n := binary.BigEndian.Uint32(b[:])
	return wordList[n%uint32(len(wordList))] + "-" + wordList[(n/uint32(len(wordList)))%uint32(len(wordList))], nil
}

// AssignWords gives every person without an anti-phishing word one: the word
// they had in prev (the previous roster version) if any, else a new one. It
// returns how many new words it made.
func AssignWords(r, prev *Roster, rnd io.Reader) (int, error) {
	made := 0
	for i := range r.People {
		p := &r.People[i]
		if p.Word != "" {
			continue
		}
		if prev != nil {
			if j, ok := prev.Index(p.ID); ok && prev.People[j].Word != "" {
				p.Word = prev.People[j].Word
				continue
			}
		}
		w, err := NewWord(rnd)
		if err != nil {
			return made, err
		}
		p.Word, made = w, made+1
	}
	return made, nil
}
