#!/usr/bin/perl
# Fastpool's supervisor: holds the listening sockets, runs the server JVM with them, and outlives it.
#
# The sockets come from systemd (LISTEN_FDS for this pid) or are bound here from the `listen` line
# of conf/io.fastpool.transport.cfg. A server is started as bin/fastpool with the sockets at fds 3..
# and systemd's variables (LISTEN_FDS, LISTEN_PID = its own pid, LISTEN_FDNAMES), so the server
# serves them instead of binding its own, and while no server runs, connections wait in the
# kernel's backlog. Events:
#   the server dies       start another, unless FASTPOOL_MAX_CRASHES died within FASTPOOL_CRASH_WINDOW s
#   SIGHUP                start a new server; once its ready file exists, SIGTERM the old one (it drains)
#   SIGTERM, SIGINT       SIGTERM every server, wait for them, remove what this process made, exit
# Written in Perl (perl-base, always on Debian and Ubuntu) because a JVM cannot hand fds above 2 to
# a child. No app code runs here; the state is three pids and at most FASTPOOL_MAX_CRASHES times.
# One line per event goes to standard error and to log/supervisor.log: `bin/fastpool restart`
# reads the latter to learn how its restart ended ("restart done" or "restart failed").
use strict;
use warnings;
use Socket qw(:addrinfo AF_UNIX SOCK_STREAM SOCK_DGRAM SOL_SOCKET SO_REUSEADDR SOMAXCONN pack_sockaddr_un);
use POSIX qw(WNOHANG dup2 _exit strftime);
use IO::Select;

# Time::HiRes is not in perl-base: whole seconds without it are enough.
BEGIN { *now = eval { require Time::HiRes; \&Time::HiRes::time } || sub { time } }

# A reason not to start (a die outside an eval) ends the supervisor with status 1, not Perl's 255.
$SIG{__DIE__} = sub { return if $^S; print STDERR $_[0]; exit 1 };
my $home = $ARGV[0] or die "usage: fastpool-supervisor.pl HOME\n";
chdir $home or die "fastpool-supervisor: cannot enter $home: $!\n";
my %setting = (
    max_crashes   => env_number('FASTPOOL_MAX_CRASHES', 5),
    crash_window  => env_number('FASTPOOL_CRASH_WINDOW', 120),
    ready_timeout => env_number('FASTPOOL_READY_TIMEOUT', 60),
    stop_timeout  => env_number('FASTPOOL_STOP_TIMEOUT', 60),
);
mkdir $_ for qw(run log);
open(my $log, '>>', 'log/supervisor.log') or die "fastpool-supervisor: cannot open log/supervisor.log: $!\n";
$log->autoflush(1);
STDERR->autoflush(1);

my ($sockets, $names, $inherited) = listening_sockets();
write_atomically('run/fastpool.pid', "$$\n");

# The servers: the one serving, one starting (with its ready file and deadline), and old ones
# draining after a restart (pid => deadline for SIGKILL).
my ($serving, $starting, %retiring);
my $restarted_from;      # the old server of the restart under way, until it has exited
my @crashes;             # times of the last crashes, at most max_crashes of them
my ($stopping, $exit_code) = (0, 0);
my $console_given = 0;   # only the first server gets a terminal on standard input

pipe(my $wake_read, my $wake_write) or die "fastpool-supervisor: pipe: $!\n";
$_->blocking(0) for $wake_read, $wake_write;
my ($hup, $term) = (0, 0);
$SIG{HUP}  = sub { $hup = 1; wake() };
$SIG{TERM} = $SIG{INT} = sub { $term = "SIG$_[0]"; wake() };
$SIG{CHLD} = sub { wake() };
$SIG{PIPE} = 'IGNORE';

say_event(sprintf 'supervisor %d: %s %s', $$, $inherited ? 'serving the sockets from systemd:' : 'listening on',
    join(', ', map { $_->{address} } @$sockets));
start_server();
my $select = IO::Select->new($wake_read);
while (1) {
    $select->can_read($starting ? 0.1 : 1);
    sysread($wake_read, my $drained, 512);
    reap();
    last if $stopping && !$serving && !$starting && !%retiring;
    if ($term && !$stopping) {
        say_event("stopping ($term): SIGTERM to every server");
        stop_all(0);
    }
    if ($hup) {
        $hup = 0;
        restart() unless $stopping;
    }
    check_starting();
    check_retiring();
}
finish();

sub env_number {
    my ($name, $default) = @_;
    my $value = $ENV{$name};
    return $default unless defined $value && length $value;
    die "fastpool-supervisor: $name must be a whole number, not '$value'\n" unless $value =~ /^\d+$/;
    return $value;
}

sub wake { syswrite($wake_write, 'x') }

sub say_event {
    my ($message) = @_;
    my $line = strftime('%Y-%m-%dT%H:%M:%S', localtime) . " fastpool-supervisor: $message\n";
    print STDERR $line;
    print $log $line;
}

sub write_atomically {
    my ($path, $content) = @_;
    open(my $out, '>', "$path.$$.tmp") or die "fastpool-supervisor: cannot write $path: $!\n";
    print $out $content;
    close $out;
    rename("$path.$$.tmp", $path) or die "fastpool-supervisor: cannot write $path: $!\n";
}

# --- the sockets -------------------------------------------------------------------------------

# ([{address, fh or fd, unlink}], names, inherited?): systemd's sockets if it passed some to this
# process, else the transport's listen addresses bound here.
sub listening_sockets {
    if (($ENV{LISTEN_PID} // '') eq $$ && ($ENV{LISTEN_FDS} // 0) > 0) {
        my @fds = (3 .. 2 + $ENV{LISTEN_FDS});
        my @sockets = map { { address => "fd $_", fd => $_ } } @fds;
        return (\@sockets, $ENV{LISTEN_FDNAMES} // join(':', ('fastpool') x @fds), 1);
    }
    my %transport = transport_settings();
    my @sockets = map { bind_address($_, \%transport) } @{$transport{listen}};
    # systemd names a socket unit's fds after the unit: the same here, so the server matches
    # sockets by their address either way.
    return (\@sockets, join(':', ('fastpool') x @sockets), 0);
}

# The few transport settings the sockets need, with the transport's defaults (TransportConfig).
sub transport_settings {
    my %transport = (listen => 'unix:run/fastpool.sock, tcp:127.0.0.1:9000', unixSocketMode => '0660',
        unixSocketGroup => '');
    if (open(my $cfg, '<', 'conf/io.fastpool.transport.cfg')) {
        while (my $line = <$cfg>) {
            next unless $line =~ /^\s*(listen|unixSocketMode|unixSocketGroup)\s*[=:]\s*(.*?)\s*$/;
            $transport{$1} = $2;
        }
    }
    $transport{listen} = [grep { length } map { s/^\s+|\s+$//gr } split /,/, $transport{listen}];
    die "fastpool-supervisor: conf/io.fastpool.transport.cfg: unixSocketMode '$transport{unixSocketMode}' is not octal\n"
        unless $transport{unixSocketMode} =~ /^0?[0-7]{1,3}$/;
    return %transport;
}

sub bind_address {
    my ($address, $transport) = @_;
    return bind_unix($address, $1, $transport) if $address =~ /^unix:(.+)$/;
    return bind_tcp($address, $1, $2) if $address =~ /^tcp:\[([^\]]+)\]:(\d+)$/ || $address =~ /^tcp:([^:]+):(\d+)$/;
    die "fastpool-supervisor: conf/io.fastpool.transport.cfg: listen address '$address': expected tcp:HOST:PORT or unix:PATH\n";
}

sub bind_unix {
    my ($address, $path, $transport) = @_;
    socket(my $fh, AF_UNIX, SOCK_STREAM, 0) or die "fastpool-supervisor: socket: $!\n";
    if (-S $path) {
        socket(my $probe, AF_UNIX, SOCK_STREAM, 0) or die "fastpool-supervisor: socket: $!\n";
        if (connect($probe, pack_sockaddr_un($path))) {
            die "fastpool-supervisor: $address: a server already answers there"
                . (-r 'run/fastpool.pid' ? ' (run/fastpool.pid: ' . slurp('run/fastpool.pid') . ')' : '')
                . "; stop it first (bin/fastpool stop)\n";
        }
        unlink $path; # left by a server that is gone
    }
    my $old_umask = umask 0177; # no moment with a wider mode than the one configured
    my $bound = bind($fh, pack_sockaddr_un($path));
    umask $old_umask;
    die "fastpool-supervisor: $address: cannot bind: $!\n" unless $bound;
    chmod oct($transport->{unixSocketMode}), $path;
    if (length $transport->{unixSocketGroup}) {
        my $gid = getgrnam($transport->{unixSocketGroup});
        die "fastpool-supervisor: unixSocketGroup: no group '$transport->{unixSocketGroup}'\n" unless defined $gid;
        chown(-1, $gid, $path) or die "fastpool-supervisor: $address: cannot give it the group $transport->{unixSocketGroup}: $!\n";
    }
    listen($fh, SOMAXCONN) or die "fastpool-supervisor: $address: listen: $!\n";
    return { address => $address, fh => $fh, unlink => $path };
}

sub bind_tcp {
    my ($address, $host, $port) = @_;
    my ($error, @found) = getaddrinfo($host, $port, { socktype => SOCK_STREAM, flags => AI_NUMERICSERV });
    die "fastpool-supervisor: $address: $error\n" if $error;
    my $found = $found[0];
    socket(my $fh, $found->{family}, SOCK_STREAM, 0) or die "fastpool-supervisor: socket: $!\n";
    setsockopt($fh, SOL_SOCKET, SO_REUSEADDR, 1) or die "fastpool-supervisor: SO_REUSEADDR: $!\n";
    bind($fh, $found->{addr}) or die "fastpool-supervisor: $address: cannot bind: $!"
        . ($!{EADDRINUSE} ? ' (a server already listens there? bin/fastpool stop)' : '') . "\n";
    listen($fh, SOMAXCONN) or die "fastpool-supervisor: $address: listen: $!\n";
    return { address => $address, fh => $fh };
}

sub slurp {
    my ($path) = @_;
    open(my $in, '<', $path) or return '';
    my $content = do { local $/; <$in> } // '';
    return $content =~ s/\s+\z//r;
}

# --- the servers -------------------------------------------------------------------------------

sub ready_file { "$home/run/ready.$_[0]" }

sub start_server {
    my $pid = fork;
    if (!defined $pid) {
        say_event("cannot start a server: fork: $!");
        stop_all(1) unless $serving;
        return;
    }
    exec_server() if $pid == 0;
    $starting = { pid => $pid, since => now(), deadline => now() + $setting{ready_timeout} };
    $console_given = 1;
    say_event("server $pid starting");
}

# In the child: the sockets to fds 3.., systemd's variables, then bin/fastpool.
sub exec_server {
    my @fds = map { defined $_->{fh} ? fileno($_->{fh}) : $_->{fd} } @$sockets;
    # Out of the way first, so that moving one to 3+i cannot overwrite another still to move.
    for my $i (0 .. $#fds) {
        defined dup2($fds[$i], 64 + $i) or child_fail("dup2: $!");
    }
    for my $i (0 .. $#fds) {
        defined dup2(64 + $i, 3 + $i) or child_fail("dup2: $!"); # dup2 leaves the new fd open across exec
        POSIX::close(64 + $i);
    }
    if ($console_given && -t STDIN) {
        # Two consoles on one terminal would fight over it: a later server gets none.
        open(STDIN, '<', '/dev/null');
    }
    $ENV{LISTEN_FDS} = scalar @fds;
    $ENV{LISTEN_PID} = $$;
    $ENV{LISTEN_FDNAMES} = $names;
    $ENV{FASTPOOL_READY_FILE} = ready_file($$);
    $ENV{FASTPOOL_SUPERVISED} = 1;
    delete $ENV{NOTIFY_SOCKET}; # the supervisor tells systemd, not the server
    $SIG{$_} = 'DEFAULT' for qw(HUP TERM INT CHLD PIPE);
    my $script = "$home/bin/fastpool";
    exec { $script } $script or child_fail("cannot run bin/fastpool: $!");
}

sub child_fail {
    print STDERR "fastpool-supervisor: $_[0]\n";
    _exit(127);
}

sub restart {
    if ($starting) {
        say_event('restart ignored: a server is already starting');
        return;
    }
    $restarted_from = $serving;
    say_event('restart: SIGHUP received' . ($serving ? "; server $serving keeps serving until a new one is ready" : ''));
    notify('RELOADING=1');
    start_server();
}

sub check_starting {
    return unless $starting;
    my $pid = $starting->{pid};
    if (-e ready_file($pid)) {
        my $millis = int((now() - $starting->{since}) * 1000);
        $starting = undef;
        my $old = $serving;
        $serving = $pid;
        if ($old) {
            say_event("server $pid ready in $millis ms; SIGTERM to server $old (it drains, then exits)");
            retire($old);
        } else {
            say_event("server $pid ready in $millis ms");
            $restarted_from = undef;
        }
        notify('READY=1');
    } elsif (now() > $starting->{deadline}) {
        if ($serving) {
            say_event("restart failed: server $pid was not ready after $setting{ready_timeout} s"
                . " (FASTPOOL_READY_TIMEOUT); stopping it, server $serving keeps serving");
            retire($pid);
            $starting = undef;
            $restarted_from = undef;
            notify('READY=1');
        } else {
            # The only server there is: it serves what it can, and a later restart may replace it.
            say_event("server $pid not ready after $setting{ready_timeout} s (FASTPOOL_READY_TIMEOUT); keeping it"
                . ' as the serving one, see log/ for what it waits for');
            ($serving, $starting) = ($pid, undef);
            notify('READY=1');
        }
    }
}

sub retire {
    my ($pid) = @_;
    kill 'TERM', $pid;
    $retiring{$pid} = now() + $setting{stop_timeout};
}

sub check_retiring {
    for my $pid (keys %retiring) {
        next unless now() > $retiring{$pid};
        say_event("server $pid still running $setting{stop_timeout} s after SIGTERM (FASTPOOL_STOP_TIMEOUT); SIGKILL");
        kill 'KILL', $pid;
        $retiring{$pid} = 9**9**9;
    }
}

sub reap {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $status = $?;
        unlink ready_file($pid);
        if (exists $retiring{$pid}) {
            delete $retiring{$pid};
            if (defined $restarted_from && $pid == $restarted_from) {
                say_event("restart done: server $serving serving, server $pid exited (" . describe($status) . ')');
                $restarted_from = undef;
            } else {
                say_event("server $pid exited (" . describe($status) . ')');
            }
        } elsif ($starting && $pid == $starting->{pid}) {
            $starting = undef;
            if ($serving) {
                say_event("restart failed: server $pid exited before it was ready (" . describe($status)
                    . "); server $serving keeps serving");
                $restarted_from = undef;
                notify('READY=1');
            } else {
                died($pid, $status);
            }
        } elsif (defined $serving && $pid == $serving) {
            $serving = undef;
            died($pid, $status);
        }
    }
}

# A server that was not asked to stop has exited.
sub died {
    my ($pid, $status) = @_;
    if ($stopping) {
        say_event("server $pid exited (" . describe($status) . ')');
        return;
    }
    if ($status == 0 && !$starting) {
        say_event("server $pid exited with status 0 (stopped from inside, e.g. the console's 'stop 0'); stopping too");
        stop_all(0);
        return;
    }
    my $now = now();
    @crashes = grep { $_ > $now - $setting{crash_window} } @crashes, $now;
    if (@crashes >= $setting{max_crashes}) {
        say_event("server $pid died (" . describe($status) . "): $setting{max_crashes} crashes within"
            . " $setting{crash_window} s (FASTPOOL_MAX_CRASHES, FASTPOOL_CRASH_WINDOW); not restarting it, see log/");
        stop_all(1);
        return;
    }
    say_event("server $pid died (" . describe($status) . '); starting another (crash ' . scalar(@crashes)
        . " of $setting{max_crashes} allowed within $setting{crash_window} s)");
    start_server() unless $starting;
}

sub describe {
    my ($status) = @_;
    return 'killed by signal ' . ($status & 127) if $status & 127;
    return 'exit status ' . ($status >> 8);
}

sub stop_all {
    my ($code) = @_;
    ($stopping, $exit_code) = (1, $code);
    retire($_) for grep { defined } $serving, $starting ? $starting->{pid} : undef;
    ($serving, $starting) = (undef, undef);
}

# systemd's sd_notify: one datagram to NOTIFY_SOCKET ('@' for the abstract namespace).
sub notify {
    my ($message) = @_;
    my $path = $ENV{NOTIFY_SOCKET} or return;
    $path =~ s/^@/\0/;
    socket(my $fh, AF_UNIX, SOCK_DGRAM, 0) or return;
    send($fh, $message, 0, pack_sockaddr_un($path)) or say_event("cannot tell systemd $message: $!");
}

sub finish {
    for my $socket (@$sockets) {
        unlink $socket->{unlink} if $socket->{unlink};
    }
    unlink 'run/fastpool.pid' if slurp('run/fastpool.pid') eq $$;
    say_event("supervisor $$ exits" . ($exit_code ? " with status $exit_code" : ''));
    exit $exit_code;
}
