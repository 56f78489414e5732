package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The proxy a fault test cuts to take PostgreSQL away from one service, in front of the real server. */
class TcpProxyIT {

    @Test
    void aCutProxyDropsOpenConnectionsAndRefusesNewOnesUntilRestored() throws Exception {
        InetSocketAddress server = PostgresServer.address();
        try (TcpProxy proxy = TcpProxy.start(server.getHostString(), server.getPort())) {
            String url = PostgresServer.through(PostgresServer.testDatabase(), proxy.port());
            try (Connection open = connect(url)) {
                assertThat(selectOne(open)).isEqualTo(1);

                proxy.cut();
                assertThat(proxy.isOpen()).isFalse();
                assertThatThrownBy(() -> selectOne(open)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> connect(url)).isInstanceOf(SQLException.class)
                        .hasMessageContaining("refused");
                // the server itself still serves everyone else
                try (Connection direct = connect(PostgresServer.testDatabase())) {
                    assertThat(selectOne(direct)).isEqualTo(1);
                }
            }

            proxy.restore();
            try (Connection again = connect(url)) {
                assertThat(selectOne(again)).isEqualTo(1);
            }
        }
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url + "?connectTimeout=5", PostgresServer.USERNAME,
                PostgresServer.PASSWORD);
    }

    private static int selectOne(Connection connection) throws SQLException {
        var result = connection.createStatement().executeQuery("select 1");
        result.next();
        return result.getInt(1);
    }
}
