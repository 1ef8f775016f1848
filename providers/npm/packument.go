package npm

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/driftwatch/driftwatch/rules"
)

// packument is what a snapshot keeps of a registry's package document.
type packument struct {
	Name     string
	DistTags map[string]string
	// Time holds publication times by version (and "created",
	// "modified"); a non-string member (an unpublished package's
	// "unpublished" object) is left out.
	Time map[string]string
	// Versions maps each version to its deprecation message ("" when not
	// deprecated), capped at MaxMessage runes.
	Versions map[string]string
	// Insecure holds the deprecated versions whose whole message, read
	// before the cap, says the version is unsafe to run.
	Insecure map[string]bool
	// Unpublished is set when the whole package was unpublished.
	Unpublished bool
}

// decodePackument streams a package document, keeping name, dist-tags,
// time and each version's deprecated message. Other members (readmes,
// manifests of every version) are read past without being kept.
func decodePackument(r io.Reader) (*packument, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	p := &packument{DistTags: map[string]string{}, Time: map[string]string{}, Versions: map[string]string{}, Insecure: map[string]bool{}}
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return nil, err
		}
		switch key {
		case "name":
			if err := dec.Decode(&p.Name); err != nil {
				return nil, fmt.Errorf("name: %w", err)
			}
		case "dist-tags":
			if err := dec.Decode(&p.DistTags); err != nil {
				return nil, fmt.Errorf("dist-tags: %w", err)
			}
		case "time":
			var raw map[string]json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fmt.Errorf("time: %w", err)
			}
			for k, v := range raw {
				var s string
				if json.Unmarshal(v, &s) == nil {
					p.Time[k] = s
				} else if k == "unpublished" {
					p.Unpublished = true
				}
			}
		case "versions":
			if err := p.decodeVersions(dec); err != nil {
				return nil, fmt.Errorf("versions: %w", err)
			}
		default:
			if err := skip(dec); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the package document")
	}
	return p, nil
}

// decodeVersions reads the versions object one manifest at a time.
func (p *packument) decodeVersions(dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		v, err := objectKey(dec)
		if err != nil {
			return err
		}
		var m struct {
			// Deprecated is a message; a few old documents hold true or
			// false.
			Deprecated any `json:"deprecated"`
		}
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
		switch d := m.Deprecated.(type) {
		case string:
			// Judged whole, kept capped: a 5 KB message is not held
			// once per version.
			if rules.MentionsSecurity(d) {
				p.Insecure[v] = true
			}
			p.Versions[v] = rules.Cap(d, MaxMessage)
		case bool:
			if d {
				p.Versions[v] = "deprecated"
			} else {
				p.Versions[v] = ""
			}
		default:
			p.Versions[v] = ""
		}
	}
	return expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("not a package document: %w", err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("not a package document: want %q, got %v", want, t)
	}
	return nil
}

func objectKey(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("want an object key, got %v", t)
	}
	return k, nil
}

// skip reads past one value, holding at most one scalar at a time.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
