package polite

import (
	"errors"
	"net/url"
)

// SafeURL returns a URL without credentials, query or fragment, for error
// messages and logs: the parts that may carry a token never leave.
func SafeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// UnwrapURLError drops the *url.Error wrapper, whose text repeats the full
// URL, query included.
func UnwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
