package akd

import (
	"errors"
	"fmt"
)

// Config is one of AKD's hashing configurations. The zero Config is not
// valid; use WhatsAppV1, Experimental or ParseConfig.
type Config struct {
	kind   configKind
	domain string
}

type configKind uint8

const (
	kindWhatsAppV1 configKind = iota + 1
	kindExperimental
)

// Names of the configurations, as used in stele's configuration files.
const (
	NameWhatsAppV1   = "whatsapp_v1"
	NameExperimental = "experimental"
)

// WhatsAppV1 returns the configuration WhatsApp's directory uses.
func WhatsAppV1() Config { return Config{kind: kindWhatsAppV1} }

// Experimental returns akd's experimental configuration, in which every
// hash input is prefixed by domain (akd's DomainLabel; its examples use
// "ExampleLabel").
func Experimental(domain string) Config {
	return Config{kind: kindExperimental, domain: domain}
}

// ErrUnknownConfig is returned by ParseConfig for an unknown name.
var ErrUnknownConfig = errors.New("akd: unknown configuration")

// ParseConfig returns the configuration called name. domain is only
// allowed, and then required, for the experimental configuration.
func ParseConfig(name, domain string) (Config, error) {
	switch name {
	case NameWhatsAppV1:
		if domain != "" {
			return Config{}, fmt.Errorf("akd: configuration %s takes no domain", name)
		}
		return WhatsAppV1(), nil
	case NameExperimental:
		if domain == "" {
			return Config{}, fmt.Errorf("akd: configuration %s needs a domain", name)
		}
		return Experimental(domain), nil
	}
	return Config{}, fmt.Errorf("%w %q (want %s or %s)", ErrUnknownConfig, name, NameWhatsAppV1, NameExperimental)
}

// Name returns the configuration's name, "" for the zero Config.
func (c Config) Name() string {
	switch c.kind {
	case kindWhatsAppV1:
		return NameWhatsAppV1
	case kindExperimental:
		return NameExperimental
	}
	return ""
}

// Domain returns the experimental configuration's domain label.
func (c Config) Domain() string { return c.domain }

func (c Config) valid() bool { return c.kind == kindWhatsAppV1 || c.kind == kindExperimental }
