#!/usr/bin/perl
# Writes small GeoLite2-City, GeoLite2-Country, GeoLite2-ASN,
# GeoIP2-Anonymous-IP, GeoIP2-Enterprise and GeoIP2-Connection-Type databases
# with known records into the directory given, for the geoip filter's tests.
# The record shapes are those of MaxMind's GeoLite2 databases (names keyed
# by language, subdivisions as an array, most specific last). Reserved and
# private networks are left out by the writer, as in the real databases.
use utf8;
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift or die "usage: $0 OUTPUT_DIR\n";

my %types = (
    city                           => 'map',
    continent                      => 'map',
    country                        => 'map',
    registered_country             => 'map',
    location                       => 'map',
    postal                         => 'map',
    subdivisions                   => [ 'array', 'map' ],
    names                          => 'map',
    en                             => 'utf8_string',
    de                             => 'utf8_string',
    code                           => 'utf8_string',
    iso_code                       => 'utf8_string',
    geoname_id                     => 'uint32',
    latitude                       => 'double',
    longitude                      => 'double',
    accuracy_radius                => 'uint16',
    time_zone                      => 'utf8_string',
    metro_code                     => 'uint16',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
    traits                         => 'map',
    connection_type                => 'utf8_string',
    is_anonymous                   => 'boolean',
    is_anonymous_vpn               => 'boolean',
    is_hosting_provider            => 'boolean',
    is_public_proxy                => 'boolean',
    is_residential_proxy           => 'boolean',
    is_tor_exit_node               => 'boolean',
);

sub names { my ($en, $de) = @_; return { en => $en, ($de ? (de => $de) : ()) } }

my %europe = (continent => { code => 'EU', geoname_id => 6255148, names => names('Europe', 'Europa') });
my %gb = (country => { iso_code => 'GB', geoname_id => 2635167, names => names('United Kingdom', 'Vereinigtes Königreich') });

my @city = (
    [ '81.2.69.160/27', {
        %europe, %gb,
        city         => { geoname_id => 2643743, names => names('London') },
        location     => { latitude => 51.5142, longitude => -0.0931, accuracy_radius => 10, time_zone => 'Europe/London' },
        postal       => { code => 'EC1A' },
        subdivisions => [ { iso_code => 'ENG', geoname_id => 6269131, names => names('England') } ],
    } ],
    [ '216.160.83.56/29', {
        continent    => { code => 'NA', geoname_id => 6255149, names => names('North America') },
        country      => { iso_code => 'US', geoname_id => 6252001, names => names('United States') },
        city         => { geoname_id => 5803556, names => names('Milton') },
        location     => { latitude => 47.2513, longitude => -122.3149, accuracy_radius => 22,
                          metro_code => 819, time_zone => 'America/Los_Angeles' },
        postal       => { code => '98354' },
        subdivisions => [ { iso_code => 'WA', geoname_id => 5815135, names => names('Washington') } ],
    } ],
    [ '2a02:2770::/32', {
        %europe,
        country      => { iso_code => 'DE', geoname_id => 2921044, names => names('Germany', 'Deutschland') },
        city         => { geoname_id => 2861650, names => names('Nuremberg', 'Nürnberg') },
        location     => { latitude => 49.4478, longitude => 11.0683, accuracy_radius => 50, time_zone => 'Europe/Berlin' },
        postal       => { code => '90403' },
        subdivisions => [ { iso_code => 'BY', geoname_id => 2951839, names => names('Bavaria', 'Bayern') },
                          { iso_code => 'MFR', geoname_id => 2861322, names => names('Middle Franconia') } ],
    } ],
    # A country-level record: location but no city, postal or subdivision.
    [ '2.125.160.216/29', { %europe, %gb, location => { latitude => 51.5, longitude => -0.13, accuracy_radius => 100 } } ],
    # No location at all: Logstash gives nothing for such a record.
    [ '89.160.20.112/28', { %europe, country => { iso_code => 'SE', geoname_id => 2661886, names => names('Sweden') } } ],
);

my @country = (
    [ '81.2.69.160/27', { %europe, %gb } ],
    [ '2a02:2770::/32', { %europe, country => { iso_code => 'DE', geoname_id => 2921044, names => names('Germany') } } ],
);

my @asn = (
    [ '1.128.0.0/11', { autonomous_system_number => 1221, autonomous_system_organization => 'Telstra Pty Ltd' } ],
    [ '2600:6000::/20', { autonomous_system_number => 237, autonomous_system_organization => 'Merit Network Inc.' } ],
    [ '12.81.92.0/22', { autonomous_system_number => 7018 } ],
);

my @anonymous = (
    [ '81.2.69.0/24', { is_anonymous => 1, is_anonymous_vpn => 1, is_hosting_provider => 1 } ],
    [ '2a02:2770::/32', { is_anonymous => 1, is_tor_exit_node => 1 } ],
);

my @enterprise = (
    [ '81.2.69.160/27', {
        %europe, %gb,
        city         => { geoname_id => 2643743, names => names('London') },
        location     => { latitude => 51.5142, longitude => -0.0931, accuracy_radius => 10, time_zone => 'Europe/London' },
        subdivisions => [ { iso_code => 'ENG', geoname_id => 6269131, names => names('England') } ],
        traits       => { autonomous_system_number => 20712, autonomous_system_organization => 'Andrews & Arnold Ltd',
                          is_public_proxy => 1 },
    } ],
);

sub write_db {
    my ($type, $records) = @_;
    my $tree = MaxMind::DB::Writer::Tree->new(
        ip_version            => 6,
        record_size           => 28,
        database_type         => $type,
        languages             => [ 'en', 'de' ],
        description           => { en => "logpipe test $type" },
        alias_ipv6_to_ipv4    => 1,
        map_key_type_callback => sub { $types{ $_[0] } },
    );
    $tree->insert_network(@$_) for @$records;
    open my $fh, '>:raw', "$dir/$type.mmdb" or die "$dir/$type.mmdb: $!\n";
    $tree->write_tree($fh);
    close $fh or die "$dir/$type.mmdb: $!\n";
}

write_db('GeoLite2-City', \@city);
write_db('GeoLite2-Country', \@country);
write_db('GeoLite2-ASN', \@asn);
write_db('GeoIP2-Anonymous-IP', \@anonymous);
write_db('GeoIP2-Enterprise', \@enterprise);
# A kind the geoip filter does not read.
write_db('GeoIP2-Connection-Type', [ [ '81.2.69.0/24', { connection_type => 'Cable/DSL' } ] ]);
