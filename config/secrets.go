package config

// Secrets returns every secret value the config resolved (credentials,
// tokens, header values, the API's tokens, the Slack webhook URL and
// token, each receiver's token, signing secret, password and URL), for
// the scrubber that keeps them out of every message; unset
// ones are left out.
func (c *Config) Secrets() (values, urls []string) {
	add := func(s Secret) {
		if v := s.Reveal(); v != "" {
			values = append(values, v)
		}
	}
	if sl := c.Notify.Slack; sl != nil {
		add(sl.Token)
		if u := sl.WebhookURL.Reveal(); u != "" {
			urls = append(urls, u)
		}
	}
	for _, r := range c.Receivers {
		add(r.Token)
		add(r.Secret)
		add(r.Password)
		for _, u := range []Secret{r.WebhookURL, r.URL} {
			if v := u.Reveal(); v != "" {
				urls = append(urls, v)
			}
		}
	}
	add(c.Server.APIToken)
	add(c.Server.APIWriteToken)
	for _, s := range c.Sources {
		if h, ok := s.Settings.(SecretHolder); ok {
			for _, v := range h.Secrets() {
				add(v)
			}
		}
	}
	return values, urls
}

// SecretHolder is a source type's config that holds secrets (a password,
// a token, header values); identifiers such as a client id are not among
// them.
type SecretHolder interface {
	Secrets() []Secret
}

// EndpointHolder is a source type's config that names the URLs it reads;
// credentials written into one (user info, a query key) are secrets.
type EndpointHolder interface {
	Endpoints() []string
}

// SourceEndpoints lists the URLs the sources read, for the scrubber to
// learn the credentials they may carry.
func (c *Config) SourceEndpoints() []string {
	var out []string
	for _, s := range c.Sources {
		if h, ok := s.Settings.(EndpointHolder); ok {
			for _, u := range h.Endpoints() {
				if u != "" {
					out = append(out, u)
				}
			}
		}
	}
	return out
}
